// The CPU backend's tensors and what a CPU kernel gets (`OpDef.cpu`): host storage per dtype, views that share it,
// and the matrix-product engine a host may hand in. Kept apart from cpu-backend.ts so that backend.ts (whose OpDef
// names these types) and the backend implementation do not import each other.
import { quantWords } from '../gpu/quant-layout';
import type { DType } from '../gpu/tensor';

export type CpuData = Float32Array | Int32Array | Uint32Array;

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Storage words of a tensor: one per element, or scales + packed integers for q8/q4. */
export function cpuWords(shape: readonly number[], dtype: DType): number {
  return dtype === 'q8' || dtype === 'q4' ? quantWords(shape, dtype) : numel(shape);
}

export class CpuDTypeError extends Error {
  override readonly name = 'CpuDTypeError';
}

/** Structurally a backend `Tensor` (no import of backend.ts, whose OpDef names this type: no cycle). */
export class CpuTensor {
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
