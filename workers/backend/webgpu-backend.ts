// The WebGPU backend: allocates outputs from the pool, runs each op's WGSL kernel, or, for ops named in
// `cpuOps`, its float64 reference (inputs read back, outputs uploaded) so a diverging model can be bisected
// op by op.
import type { Gpu } from '../gpu/device';
import { decodeHalf, encodeHalf } from '../gpu/f16';
import { Runner } from '../gpu/runner';
import { GpuTensor, allocTensor, byteSize, numel, type DType } from '../gpu/tensor';
import type { Backend, HostTensor, KernelContext, OpDef, Tensor, TensorSpec } from './backend';

export interface WebGpuBackendOptions {
  /** Op names to run on their float64 CPU reference instead of the GPU. */
  cpuOps?: Iterable<string>;
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly features: { readonly f16: boolean };
  readonly runner: Runner;
  readonly ctx: KernelContext;
  cpuOps: Set<string>;
  /** How often each op ran on the GPU and on its CPU reference (for bisecting and for tests of the switch). */
  readonly runs = { gpu: new Map<string, number>(), cpu: new Map<string, number>() };

  constructor(
    readonly gpu: Gpu,
    opts: WebGpuBackendOptions = {},
  ) {
    this.runner = new Runner(gpu);
    this.ctx = { runner: this.runner, f16: gpu.info.features.f16, subgroups: gpu.info.features.subgroups };
    this.cpuOps = new Set(opts.cpuOps ?? []);
    this.features = { f16: gpu.info.features.f16 };
  }

  upload(data: ArrayLike<number>, shape: readonly number[], dtype: DType = 'f32'): GpuTensor {
    const t = allocTensor(this.runner, shape, dtype);
    this.runner.write(t.buffer, encode(data, dtype, shape));
    return t;
  }

  zeros(shape: readonly number[], dtype: DType = 'f32'): GpuTensor {
    const t = allocTensor(this.runner, shape, dtype);
    // Pooled buffers are recycled, so zero explicitly.
    this.runner.write(t.buffer, new Uint8Array(byteSize(shape, dtype)));
    return t;
  }

  reshape(t: Tensor, shape: readonly number[]): GpuTensor {
    const g = asGpu(t);
    if (numel(shape) !== g.numel)
      throw new Error(`reshape: [${g.shape}] has ${g.numel} elements, [${shape}] has ${numel(shape)}`);
    return new GpuTensor(this.runner, g.buffer, [...shape], g.dtype, g.base ?? g);
  }

  async download(t: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
    const g = asGpu(t);
    const bytes = await this.runner.read(g.buffer, byteSize(g.shape, g.dtype));
    switch (g.dtype) {
      case 'f32':
        return new Float32Array(bytes);
      case 'f16':
        return decodeHalf(new Uint16Array(bytes), g.numel);
      case 'i32':
        return new Int32Array(bytes);
      default:
        return new Uint32Array(bytes);
    }
  }

  async run<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Promise<Tensor[]> {
    const gin = inputs.map(asGpu);
    for (const t of gin) if (t.isDisposed) throw new Error(`${op.name}: input tensor was disposed`);
    const specs = op.infer(
      gin.map((t) => ({ shape: [...t.shape], dtype: t.dtype })),
      attrs,
    );
    const outs = specs.map((s) =>
      s.alias !== undefined ? gin[s.alias] : allocTensor(this.runner, s.shape, s.dtype, op.name),
    );
    const onCpu = this.cpuOps.has(op.name);
    const counts = onCpu ? this.runs.cpu : this.runs.gpu;
    counts.set(op.name, (counts.get(op.name) ?? 0) + 1);
    if (onCpu) await this.runRef(op, gin, outs, specs, attrs);
    else op.gpu(this.ctx, gin, outs, attrs);
    return outs;
  }

  sync(): Promise<void> {
    return this.runner.sync();
  }

  private async runRef<A>(
    op: OpDef<A>,
    inputs: GpuTensor[],
    outs: GpuTensor[],
    specs: TensorSpec[],
    attrs: A,
  ): Promise<void> {
    const host: HostTensor[] = [];
    for (const t of inputs) host.push(toHost(t, await this.download(t)));
    const results = op.ref(host, attrs);
    results.forEach((r, i) => {
      const spec = specs[i];
      if (numel(r.shape) !== numel(spec.shape))
        throw new Error(`${op.name}: reference output ${i} has shape ${r.shape}, expected ${spec.shape}`);
      this.runner.write(outs[i].buffer, encode(r.data, spec.dtype, spec.shape));
    });
  }
}

function asGpu(t: Tensor): GpuTensor {
  if (!(t instanceof GpuTensor)) throw new Error('WebGpuBackend was handed a tensor from another backend');
  return t;
}

function toHost(t: GpuTensor, data: Float32Array | Int32Array | Uint32Array): HostTensor {
  const shape = [...t.shape];
  if (t.dtype === 'f32' || t.dtype === 'f16') return { shape, dtype: t.dtype, data: Float64Array.from(data) };
  if (t.dtype === 'i32') return { shape, dtype: 'i32', data: data as Int32Array };
  return { shape, dtype: t.dtype, data: data as Uint32Array };
}

function encode(data: ArrayLike<number>, dtype: DType, shape: readonly number[]): ArrayBufferView {
  const n = dtype === 'q8' || dtype === 'q4' ? byteSize(shape, dtype) / 4 : numel(shape);
  if (data.length !== n)
    throw new Error(`upload: ${data.length} values for shape [${shape}] (${dtype}) which needs ${n}`);
  switch (dtype) {
    case 'f32':
      return data instanceof Float32Array ? data : Float32Array.from(data);
    case 'f16':
      return encodeHalf(data);
    case 'i32':
      return data instanceof Int32Array ? data : Int32Array.from(data);
    default:
      return data instanceof Uint32Array ? data : Uint32Array.from(data);
  }
}
