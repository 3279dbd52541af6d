// The small backend interface the op layer is written against. nn/, train/ and models/ only see `Backend`,
// `Tensor` and `OpDef`. An op carries its own implementations: the float64 reference, the WebGPU kernel and,
// for the forward ops inference needs, the CPU backend's float32 kernel (cpu-backend.ts).
import type { DType } from '../gpu/tensor';
import type { CpuKernelContext, CpuTensor } from './cpu-tensor';

export type { DType };

/** Opaque handle owned by a backend. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  dispose(): void;
}

/** Floats in host memory: Float64Array in the references, Float32Array in the CPU backend's tensors. An op whose
 *  reference and CPU kernel compute the same thing writes its maths once over this type. */
export type FloatArray = Float32Array | Float64Array;

/** A tensor in host memory for the float64 references: floats as Float64Array, ints as Int32Array,
 *  quantised tensors as their raw u32 words (layout in gpu/quant-layout.ts). */
export interface HostTensor {
  shape: number[];
  dtype: DType;
  data: Float64Array | Int32Array | Uint32Array;
}

export interface TensorSpec {
  shape: number[];
  dtype: DType;
  /** The output is written in place into input number `alias` (optimiser updates, accumulations). */
  alias?: number;
}

/** Everything a GPU kernel needs to enqueue its dispatches. */
export interface KernelContext {
  runner: import('../gpu/runner').Runner;
  f16: boolean;
  subgroups: boolean;
}

export interface OpDef<A> {
  readonly name: string;
  /** Validates shapes, dtypes and attributes (throwing ShapeError) and returns the output specs. */
  infer(inputs: readonly TensorSpec[], attrs: A): TensorSpec[];
  /** float64 CPU reference. */
  ref(inputs: readonly HostTensor[], attrs: A): HostTensor[];
  /** Enqueue the WebGPU implementation; outputs are allocated (or aliased) by the backend. */
  gpu(
    ctx: KernelContext,
    inputs: readonly import('../gpu/tensor').GpuTensor[],
    outputs: readonly import('../gpu/tensor').GpuTensor[],
    attrs: A,
  ): void;
  /** The CPU backend's float32 kernel; outputs are allocated (or aliased) by the backend. Absent on the ops that
   *  run on WebGPU only — backward ops and the optimiser: training needs WebGPU. */
  cpu?(
    ctx: CpuKernelContext,
    inputs: readonly CpuTensor[],
    outputs: readonly CpuTensor[],
    attrs: A,
  ): void | Promise<void>;
}

export interface Backend {
  readonly name: string;
  /** What the device can store and compute beyond f32 (f16 needs WebGPU's shader-f16). */
  readonly features: { readonly f16: boolean };
  upload(
    data: ArrayLike<number> | Float32Array | Int32Array | Uint32Array,
    shape: readonly number[],
    dtype?: DType,
  ): Tensor;
  zeros(shape: readonly number[], dtype?: DType): Tensor;
  /** A view with another shape over the same storage. Disposing the view or the original frees the storage. */
  reshape(t: Tensor, shape: readonly number[]): Tensor;
  /** f32/f16 → Float32Array, i32 → Int32Array, u32/quantised → Uint32Array (raw words). */
  download(t: Tensor): Promise<Float32Array | Int32Array | Uint32Array>;
  run<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Promise<Tensor[]>;
  /** Wait for queued work (for timing). */
  sync(): Promise<void>;
}

/** Run a single-output op. */
export async function run1<A>(b: Backend, op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Promise<Tensor> {
  const [out] = await b.run(op, inputs, attrs);
  return out;
}
