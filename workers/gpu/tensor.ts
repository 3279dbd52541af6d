// A tensor on the GPU: a pooled storage buffer plus shape and dtype. Quantised tensors (q8, q4) keep their
// logical [N, K] shape; their buffer holds per-group f32 scales followed by packed integers (see quant-layout.ts).
import type { Runner } from './runner';
import { quantWords } from './quant-layout';

export type DType = 'f32' | 'f16' | 'i32' | 'u32' | 'q8' | 'q4';

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function byteSize(shape: readonly number[], dtype: DType): number {
  const n = numel(shape);
  switch (dtype) {
    case 'f16':
      return Math.ceil((n * 2) / 4) * 4;
    case 'q8':
    case 'q4':
      return quantWords(shape, dtype) * 4;
    default:
      return n * 4;
  }
}

export class GpuTensor {
  private disposed = false;
  constructor(
    readonly runner: Runner,
    readonly buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** Set on reshaped views: the view shares the base's buffer; disposing the view disposes the base. */
    readonly base: GpuTensor | null = null,
  ) {}

  get numel(): number {
    return numel(this.shape);
  }

  get isDisposed(): boolean {
    return this.disposed || (this.base?.isDisposed ?? false);
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.base) {
      // A view and its base share one buffer: disposing either frees it (exactly once).
      this.disposed = true;
      this.base.dispose();
      return;
    }
    this.disposed = true;
    this.runner.pool.release(this.buffer);
  }
}

export function allocTensor(runner: Runner, shape: readonly number[], dtype: DType, label?: string): GpuTensor {
  return new GpuTensor(runner, runner.pool.acquire(byteSize(shape, dtype), label), shape, dtype);
}
