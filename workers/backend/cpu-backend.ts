// The CPU backend: the same `Backend` contract as WebGpuBackend, with tensors held in host memory as
// Float32Array (f32), Int32Array (i32) or Uint32Array (u32, and q8/q4 weights kept packed in the layout of
// gpu/quant-layout.ts). Used for inference when WebGPU is missing or fails (issue 4) and by the CLI's
// `--backend cpu`. f16 storage is not offered (features.f16 = false), as on a WebGPU adapter without shader-f16.
//
// Each op brings its own float32 kernel (`OpDef.cpu`); an op without one (backward ops, the optimiser) fails with
// an error naming it. There is no fallback to the float64 references, which are the tests' yardstick, not an
// engine. Matrix products may go to a faster engine the host hands in (`gemm`, e.g. onnxruntime-web's wasm from
// workers/kernels/ort-matmul); matmul's and linear's kernels offer it each product and run what it declines in JS.
import type { Backend, DType, OpDef, Tensor, TensorSpec } from './backend';
import {
  cpuWords,
  CpuDTypeError,
  CpuTensor,
  numel,
  type CpuData,
  type CpuGemm,
  type CpuKernelContext,
} from './cpu-tensor';

function allocData(shape: readonly number[], dtype: DType): CpuData {
  const n = cpuWords(shape, dtype);
  switch (dtype) {
    case 'f32':
      return new Float32Array(n);
    case 'i32':
      return new Int32Array(n);
    case 'u32':
    case 'q8':
    case 'q4':
      return new Uint32Array(n);
    default:
      throw new CpuDTypeError(
        `the CPU backend does not store ${dtype} tensors (f16 needs WebGPU's shader-f16; load weights as f32, q8 or q4)`,
      );
  }
}

/** An op the CPU backend has no implementation for. */
export class CpuOpMissingError extends Error {
  override readonly name = 'CpuOpMissingError';
}

export interface CpuBackendOptions {
  /** Engine for matmul's and linear's products (default none: plain-JS kernels). */
  gemm?: CpuGemm | null;
}

export interface CpuMemoryStats {
  liveBytes: number;
  peakBytes: number;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly features = { f16: false } as const;
  /** How often each op ran (as WebGpuBackend.runs, for tests and profiling). */
  readonly runs = new Map<string, number>();
  private readonly ctx: CpuKernelContext;
  private live = 0;
  private peak = 0;

  constructor({ gemm = null }: CpuBackendOptions = {}) {
    this.ctx = { gemm };
  }

  /** Bytes held by undisposed tensors now and at most (what the WebGPU backend's pool stats report). */
  memory(): CpuMemoryStats {
    return { liveBytes: this.live, peakBytes: this.peak };
  }

  private alloc(shape: readonly number[], dtype: DType, data?: CpuData): CpuTensor {
    const d = data ?? allocData(shape, dtype);
    this.live += d.byteLength;
    this.peak = Math.max(this.peak, this.live);
    return new CpuTensor(d, [...shape], dtype, null, (bytes) => (this.live -= bytes));
  }

  upload(data: ArrayLike<number>, shape: readonly number[], dtype: DType = 'f32'): CpuTensor {
    const store = allocData(shape, dtype);
    if (data.length !== store.length)
      throw new Error(`upload: ${data.length} values for shape [${shape}] (${dtype}) which needs ${store.length}`);
    // Always a copy: the caller may reuse or transfer its array.
    store.set(data);
    return this.alloc(shape, dtype, store);
  }

  zeros(shape: readonly number[], dtype: DType = 'f32'): CpuTensor {
    return this.alloc(shape, dtype);
  }

  reshape(t: Tensor, shape: readonly number[]): CpuTensor {
    const c = asCpu(t);
    if (c.isDisposed) throw new Error('reshape: tensor was disposed');
    if (numel(shape) !== c.numel)
      throw new Error(`reshape: [${c.shape}] has ${c.numel} elements, [${shape}] has ${numel(shape)}`);
    return new CpuTensor(c.data, [...shape], c.dtype, c.base ?? c);
  }

  async download(t: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
    const c = asCpu(t);
    if (c.isDisposed) throw new Error('download: tensor was disposed');
    // A copy, like a GPU readback: later in-place ops must not change what the caller holds.
    return c.data.slice();
  }

  async run<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Promise<Tensor[]> {
    const cin = inputs.map(asCpu);
    for (const t of cin) if (t.isDisposed) throw new Error(`${op.name}: input tensor was disposed`);
    if (!op.cpu)
      throw new CpuOpMissingError(
        `the CPU backend has no implementation of the op "${op.name}"; it runs on WebGPU only (the CPU backend runs inference: training needs WebGPU)`,
      );
    const specs: TensorSpec[] = op.infer(
      cin.map((t) => ({ shape: [...t.shape], dtype: t.dtype })),
      attrs,
    );
    const outs = specs.map((s) => (s.alias !== undefined ? cin[s.alias] : this.alloc(s.shape, s.dtype)));
    this.runs.set(op.name, (this.runs.get(op.name) ?? 0) + 1);
    try {
      await op.cpu(this.ctx, cin, outs, attrs);
    } catch (e) {
      specs.forEach((s, i) => s.alias === undefined && outs[i].dispose());
      throw e;
    }
    return outs;
  }

  async sync(): Promise<void> {}
}

function asCpu(t: Tensor): CpuTensor {
  if (!(t instanceof CpuTensor)) throw new Error('CpuBackend was handed a tensor from another backend');
  return t;
}
