// The CPU backend: the same `Backend` contract as WebGpuBackend, with tensors held in host memory as
// Float32Array (f32), Int32Array (i32) or Uint32Array (u32, and q8/q4 weights kept packed in the layout of
// gpu/quant-layout.ts). Used for inference when WebGPU is missing or fails (issue 4) and by the CLI's
// `--backend cpu`. f16 storage is not offered (features.f16 = false), as on a WebGPU adapter without shader-f16.
//
// Each op brings its own float32 kernel (`OpDef.cpu`); an op without one (backward ops, the optimiser) fails with
// an error naming it. There is no fallback to the float64 references, which are the tests' yardstick, not an
// engine. Matrix products may go to a faster engine the host hands in (`gemm`, e.g. onnxruntime-web's wasm from
// workers/kernels/ort-matmul); matmul's and linear's kernels offer it each product and run what it declines in JS.
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

  /** The storage of an f32 tensor (what the kernels read and write). */
  get f32(): Float32Array {
    if (!(this.data instanceof Float32Array)) throw new CpuDTypeError(`expected an f32 tensor, got ${this.dtype}`);
    return this.data;
  }

  /** The storage of an i32 tensor (ids, labels). */
  get i32(): Int32Array {
    if (!(this.data instanceof Int32Array)) throw new CpuDTypeError(`expected an i32 tensor, got ${this.dtype}`);
    return this.data;
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

/** One matrix product for a CpuGemm: out[outOff + m·ldo + n] = alpha · op(A)·op(B) (+ bias[n]), m < M, n < N. */
export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  alpha: number;
  /** op(A) is [M, K]: A is stored [M, K], or [K, M] when transA. */
  A: Float32Array;
  /** op(B) is [K, N]: B is stored [K, N], or [N, K] when transB. */
  B: Float32Array;
  bias?: Float32Array;
  M: number;
  N: number;
  K: number;
  out: Float32Array;
  outOff: number;
  /** Row stride of out (> N when this product fills a column block of a wider output). */
  ldo: number;
}

/** An engine for matrix products the host may hand the CPU backend (workers/kernels/ort-matmul). */
export interface CpuGemm {
  /** Whether a product of M rows, N columns and inner size K should run here; starts the engine on first use and
   *  answers false where measurement says JS wins or the engine could not start. */
  accepts(M: number, N: number, K: number): Promise<boolean>;
  /** Most floats of B per call: a larger weight is fed in row blocks, so the engine's memory stays bounded. */
  readonly blockFloats: number;
  gemm(args: GemmArgs): Promise<void>;
}

/** What a CPU kernel gets besides its tensors (as KernelContext for the WebGPU kernels). */
export interface CpuKernelContext {
  /** The host's matrix-product engine, or null: every product runs in JS. */
  readonly gemm: CpuGemm | null;
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
    if (!op.cpu)
      throw new CpuOpMissingError(`the CPU backend has no implementation of the op "${op.name}"; it runs on WebGPU only (the CPU backend runs inference: training needs WebGPU)`);
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
