// Elementwise ops on f32 tensors: add / mul with trailing-dims broadcast, scale, in-place addScaled (gradient
// accumulation), sumToShape (the broadcast backward: bias gradients), and cast f32 ↔ f16.
// References: elementwise.ref.ts. Kernels: elementwise.wgsl, elementwise-f16.wgsl (needs `shader-f16`).
import type { Backend, OpDef, Tensor, TensorSpec } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { checkBroadcast, sumToShapeDims } from './elementwise-shapes';
import {
  addRef,
  addScaledInto,
  addScaledRef,
  broadcastInto,
  castInto,
  castRef,
  mulRef,
  scaleInto,
  scaleRef,
  sumToShapeInto,
  sumToShapeRef,
} from './elementwise.ref';
import { flatGrid } from './grid';
import code from './elementwise.wgsl?raw';
import codeF16 from './elementwise-f16.wgsl?raw';

/** elementwise.wgsl `Params`: n = output elements (sum_to_shape: the M columns kept); nb = elements of b, which
 *  repeats every nb elements of a (sum_to_shape: the N rows summed); alpha = the factor of scale / add_scaled. */
const params = uniformStruct({ n: 'u32', nb: 'u32', alpha: 'f32' }, [code]);
/** elementwise-f16.wgsl `Params`. */
const paramsF16 = uniformStruct({ n: 'u32' }, [codeF16]);

type NoAttrs = Record<string, never>;

function checkF32(op: string, ...specs: TensorSpec[]): void {
  for (const s of specs) check(s.dtype === 'f32', `${op}: f32 tensors expected, got ${s.dtype}`);
}

function binaryOp(name: 'add' | 'mul', opCode: number, ref: OpDef<NoAttrs>['ref']): OpDef<NoAttrs> {
  return {
    name,
    infer([a, b]) {
      checkF32(name, a, b);
      checkBroadcast(name, a.shape, b.shape);
      return [{ shape: [...a.shape], dtype: 'f32' }];
    },
    ref,
    cpu: (_ctx, [a, b], [out]) => broadcastInto(name, a.f32, b.f32, out.f32),
    gpu({ runner }, [a, b], [out]) {
      const n = a.numel;
      runner.dispatch({
        label: name,
        code,
        entryPoint: 'binary',
        constants: { OP: opCode },
        uniforms: params({ n, nb: Math.max(b.numel, 1), alpha: 0 }),
        buffers: [a.buffer, b.buffer, out.buffer],
        workgroups: flatGrid(n),
      });
    },
  };
}

export const addOp = binaryOp('add', 0, addRef);
export const mulOp = binaryOp('mul', 1, mulRef);

export const scaleOp: OpDef<{ s: number }> = {
  name: 'scale',
  infer([a]) {
    checkF32('scale', a);
    return [{ shape: [...a.shape], dtype: 'f32' }];
  },
  ref: scaleRef,
  cpu: (_ctx, [a], [out], { s }) => scaleInto(a.f32, out.f32, s),
  gpu({ runner }, [a], [out], { s }) {
    runner.dispatch({
      label: 'scale',
      code,
      entryPoint: 'scale',
      uniforms: params({ n: a.numel, nb: 0, alpha: s }),
      buffers: [a.buffer, out.buffer],
      workgroups: flatGrid(a.numel),
    });
  },
};

export const addScaledOp: OpDef<{ alpha: number }> = {
  name: 'add-scaled',
  infer([acc, x]) {
    checkF32('addScaled', acc, x);
    check(
      acc.shape.length === x.shape.length && acc.shape.every((d, i) => d === x.shape[i]),
      () => `addScaled: shapes differ: acc [${acc.shape}], x [${x.shape}]`,
    );
    return [{ shape: [...acc.shape], dtype: 'f32', alias: 0 }];
  },
  ref: addScaledRef,
  // In place, as on the GPU: the output is the accumulator itself.
  cpu: (_ctx, [acc, x], _out, { alpha }) => addScaledInto(acc.f32, x.f32, acc.f32, alpha),
  gpu({ runner }, [acc, x], _out, { alpha }) {
    // WebGPU forbids binding one buffer as both writable and readable storage in a dispatch.
    check(acc.buffer !== x.buffer, 'addScaled: x shares storage with acc (use scale for acc·(1 + alpha))');
    runner.dispatch({
      label: 'add-scaled',
      code,
      entryPoint: 'add_scaled',
      uniforms: params({ n: acc.numel, nb: 0, alpha }),
      buffers: [acc.buffer, x.buffer],
      workgroups: flatGrid(acc.numel),
    });
  },
};

/** Column tiles of sumToShape spread over x then y (65,535 per dimension). */
function tileGrid(tiles: number): [number, number] {
  const x = Math.min(Math.max(tiles, 1), 65535);
  return [x, Math.ceil(tiles / x)];
}

export const sumToShapeOp: OpDef<{ shape: readonly number[] }> = {
  name: 'sum-to-shape',
  infer([x], { shape }) {
    checkF32('sumToShape', x);
    sumToShapeDims(x.shape, shape);
    return [{ shape: [...shape], dtype: 'f32' }];
  },
  ref: sumToShapeRef,
  cpu(_ctx, [x], [out], { shape }) {
    const { N, M } = sumToShapeDims(x.shape, shape);
    sumToShapeInto(x.f32, N, M, out.f32);
  },
  gpu({ runner }, [x], [out], { shape }) {
    const { N, M } = sumToShapeDims(x.shape, shape);
    if (M === 0) return;
    // Few columns: give each one all 256 lanes so the row loop stays short.
    const cols = M >= 16 ? 16 : 1;
    runner.dispatch({
      label: 'sum-to-shape',
      code,
      entryPoint: 'sum_to_shape',
      constants: { COLS: cols },
      uniforms: params({ n: M, nb: N, alpha: 0 }),
      buffers: [x.buffer, out.buffer],
      workgroups: tileGrid(Math.ceil(M / cols)),
    });
  },
};

export const castOp: OpDef<{ dtype: 'f32' | 'f16' }> = {
  name: 'cast',
  infer([x], { dtype }) {
    check(x.dtype === 'f32' || x.dtype === 'f16', `cast: f32 or f16 input expected, got ${x.dtype}`);
    check(dtype === 'f32' || dtype === 'f16', `cast: target dtype must be f32 or f16, got ${dtype}`);
    return [{ shape: [...x.shape], dtype }];
  },
  ref: castRef,
  // The CPU backend stores no f16 (allocating an f16 output already fails), so only f32 → f32 reaches here.
  cpu: (_ctx, [x], [out], { dtype }) => castInto(x.f32, out.f32, dtype),
  gpu(ctx, [x], [out], { dtype }) {
    const n = x.numel;
    if (x.dtype === dtype) {
      // Same dtype: a plain copy (f16 byte sizes are padded to 4, as allocated).
      ctx.runner.copy(x.buffer, 0, out.buffer, 0, Math.ceil((n * (dtype === 'f16' ? 2 : 4)) / 4) * 4);
      return;
    }
    if (!ctx.f16) {
      out.dispose();
      throw new Error(
        `cast ${x.dtype} → ${dtype}: this WebGPU adapter has no 'shader-f16' feature, so f16 tensors cannot be converted on the GPU`,
      );
    }
    ctx.runner.dispatch({
      label: `cast-${dtype}`,
      code: codeF16,
      entryPoint: dtype === 'f16' ? 'to_f16' : 'to_f32',
      uniforms: paramsF16({ n }),
      buffers: [x.buffer, out.buffer],
      workgroups: flatGrid(n),
    });
  },
};

/** a + b; b equal to a's shape or to its trailing dims (broadcast over the leading ones). */
export async function add(be: Backend, a: Tensor, b: Tensor): Promise<Tensor> {
  return (await be.run(addOp, [a, b], {}))[0];
}

/** a ⊙ b with the broadcast rule of `add`. */
export async function mul(be: Backend, a: Tensor, b: Tensor): Promise<Tensor> {
  return (await be.run(mulOp, [a, b], {}))[0];
}

/** s · a. */
export async function scale(be: Backend, a: Tensor, s: number): Promise<Tensor> {
  return (await be.run(scaleOp, [a], { s }))[0];
}

/** In place: acc += alpha · x (same shapes). Returns acc. */
export async function addScaled(be: Backend, acc: Tensor, x: Tensor, alpha: number): Promise<Tensor> {
  return (await be.run(addScaledOp, [acc, x], { alpha }))[0];
}

/** Sum x over its leading dims down to the trailing `shape` (deterministic, pairwise: error ≤ ~2·log2(N) roundings of Σ|x|). */
export async function sumToShape(be: Backend, x: Tensor, shape: readonly number[]): Promise<Tensor> {
  return (await be.run(sumToShapeOp, [x], { shape: [...shape] }))[0];
}

/** f32 ↔ f16 conversion; throws when the adapter lacks `shader-f16`. Same dtype returns a copy. */
export async function cast(be: Backend, x: Tensor, dtype: 'f32' | 'f16'): Promise<Tensor> {
  return (await be.run(castOp, [x], { dtype }))[0];
}
