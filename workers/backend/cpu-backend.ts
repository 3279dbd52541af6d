// The CPU backend: the same `Backend` contract as WebGpuBackend, with tensors held in host memory as
// Float32Array (f32), Int32Array (i32) or Uint32Array (u32, and q8/q4 weights kept packed in the layout of
// gpu/quant-layout.ts). Used for inference when WebGPU is missing or fails (issue 4) and by the CLI's
// `--backend cpu`. f16 storage is not offered (features.f16 = false), as on a WebGPU adapter without shader-f16.
//
// Ops are looked up by name in a table the host hands in (workers/kernels/cpu-ops.ts): this layer may not import
// workers/kernels. An op missing from the table fails with an error naming it; there is no fallback to the
// float64 references, which are the tests' yardstick, not an engine.
import { quantWords } from '../gpu/quant-layout';
import type { Backend, DType, OpDef, Tensor, TensorSpec } from './backend';

export type CpuData = Float32Array | Int32Array | Uint32Array;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Storage words of a tensor: one per element, or scales + packed integers for q8/q4. */
export function cpuWords(shape: readonly number[], dtype: DType): number {
  return dtype === 'q8' || dtype === 'q4' ? quantWords(shape, dtype) : numel(shape);
}

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
      throw new CpuDTypeError(`the CPU backend does not store ${dtype} tensors (f16 needs WebGPU's shader-f16; load weights as f32, q8 or q4)`);
  }
}

export class CpuDTypeError extends Error {
  override readonly name = 'CpuDTypeError';
}

/** An op the CPU backend has no implementation for. */
export class CpuOpMissingError extends Error {
  override readonly name = 'CpuOpMissingError';
}

export class CpuTensor implements Tensor {
  private disposed = false;
  constructor(
    /** The storage (shared with the base for views). Kernels read and write it directly. */
    readonly data: CpuData,
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** Set on reshaped views: disposing the view disposes the base, as WebGPU's views do. */
    readonly base: CpuTensor | null = null,
    private readonly onFree: (bytes: number) => void = () => {},
  ) {}

  get numel(): number {
    return numel(this.shape);
  }

  get isDisposed(): boolean {
    return this.disposed || (this.base?.isDisposed ?? false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.base) this.base.dispose();
    else this.onFree(this.data.byteLength);
  }
}

/** A CPU kernel: reads `inputs`, writes `outputs` (allocated, or an aliased input, per the op's infer). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CpuKernel<A = any> = (inputs: readonly CpuTensor[], outputs: readonly CpuTensor[], attrs: A) => void | Promise<void>;

export type CpuOpTable = Readonly<Record<string, CpuKernel>>;

export interface CpuBackendOptions {
  /** Op name → CPU kernel (workers/kernels/cpu-ops.ts `cpuOps`). */
  ops: CpuOpTable;
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
  private readonly ops: CpuOpTable;
  private live = 0;
  private peak = 0;

  constructor({ ops }: CpuBackendOptions) {
    this.ops = ops;
  }

  /** Bytes held by undisposed tensors now and at most (what the WebGPU backend's pool stats report). */
  memory(): CpuMemoryStats {
    return { liveBytes: this.live, peakBytes: this.peak };
  }

  /** Whether the table has a kernel for this op name. */
  has(opName: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.ops, opName);
  }

  private alloc(shape: readonly number[], dtype: DType, data?: CpuData): CpuTensor {
    const d = data ?? allocData(shape, dtype);
    this.live += d.byteLength;
    this.peak = Math.max(this.peak, this.live);
    return new CpuTensor(d, [...shape], dtype, null, (bytes) => (this.live -= bytes));
  }

  upload(data: ArrayLike<number>, shape: readonly number[], dtype: DType = 'f32'): CpuTensor {
    const store = allocData(shape, dtype);
    if (data.length !== store.length) throw new Error(`upload: ${data.length} values for shape [${shape}] (${dtype}) which needs ${store.length}`);
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
    if (numel(shape) !== c.numel) throw new Error(`reshape: [${c.shape}] has ${c.numel} elements, [${shape}] has ${numel(shape)}`);
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
    const kernel = this.has(op.name) ? this.ops[op.name] : undefined;
    if (!kernel)
      throw new CpuOpMissingError(`the CPU backend has no implementation of the op "${op.name}"; it runs on WebGPU only (inference on the CPU covers the forward ops)`);
    const specs: TensorSpec[] = op.infer(
      cin.map((t) => ({ shape: [...t.shape], dtype: t.dtype })),
      attrs,
    );
    const outs = specs.map((s) => (s.alias !== undefined ? cin[s.alias] : this.alloc(s.shape, s.dtype)));
    this.runs.set(op.name, (this.runs.get(op.name) ?? 0) + 1);
    try {
      await kernel(cin, outs, attrs);
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
