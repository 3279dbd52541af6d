// Softmax over the last axis, with the attention extras: a scale, an additive bias (T5's relative position
// bias, added after scaling), a causal rule with an offset for KV-cache decoding, and a key padding mask.
// Masked scores get float32 min added like Hugging Face (so a fully masked row is uniform, not NaN).
// Scores may be f16 (inference: probabilities f16, maths in f32; needs shader-f16): softmax-f16.wgsl.
// Kernel: softmax.wgsl; reference: softmax.ref.ts.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { rowGrid, rowWorkgroupSize } from '../reduce/row-grid';
import { softmaxBackwardRef, softmaxExtras, softmaxRef, softmaxRows } from './softmax.ref';
import { softmaxShapes, type SoftmaxAttrs, type SoftmaxOpAttrs } from './softmax-shapes';
import code from './softmax.wgsl?raw';
import codeF16 from './softmax-f16.wgsl?raw';

/** softmax.wgsl and softmax-f16.wgsl `Params` (field meanings in the .wgsl; flags bit 0 bias, bit 1 key mask). */
const params = uniformStruct(
  {
    rows: 'u32',
    Tq: 'u32',
    Tk: 'u32',
    rowsPerBatch: 'u32',
    biasRows: 'u32',
    scale: 'f32',
    causal: 'u32',
    offset: 'i32',
    flags: 'u32',
  },
  [code, codeF16],
);

export type { SoftmaxAttrs, SoftmaxOpAttrs };

/** Rows up to this long take the barrier-free one-invocation-per-row entry points (ROWS_PER_WG rows per workgroup). */
export const SHORT_ROW = 64;
const ROWS_PER_WG = 64;

/** Entry point, override constants and grid for rows of length Tk. */
function variant(entry: 'forward' | 'backward', rows: number, Tk: number) {
  if (Tk <= SHORT_ROW) return { entryPoint: `${entry}_short`, workgroups: rowGrid(Math.ceil(rows / ROWS_PER_WG)) };
  return { entryPoint: entry, constants: { WG: rowWorkgroupSize(Tk) }, workgroups: rowGrid(rows) };
}

export interface SoftmaxMasks {
  /** [NH, Tq, Tk] or [1|B, NH, Tq, Tk], added after scaling. */
  bias?: Tensor;
  /** f32 [B, Tk]: 1 keep, 0 masked. */
  keyMask?: Tensor;
}

export const softmaxOp: OpDef<SoftmaxOpAttrs> = {
  name: 'softmax',
  infer(inputs, attrs) {
    const [x, ...masks] = inputs;
    check(
      (x.dtype === 'f32' || x.dtype === 'f16') && masks.every((t) => t.dtype === 'f32'),
      'softmax: x f32 or f16, bias and key mask f32 expected',
    );
    softmaxShapes(
      inputs.map((t) => t.shape),
      attrs,
    );
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  ref: softmaxRef,
  cpu(_ctx, inputs, [y], attrs) {
    const { bias, mask } = softmaxExtras(inputs, attrs);
    const s = softmaxShapes(
      inputs.map((t) => t.shape),
      attrs,
    );
    softmaxRows(s, inputs[0].f32, bias?.f32 ?? null, mask?.f32 ?? null, attrs, y.f32);
  },
  gpu({ runner, f16 }, inputs, [y], attrs) {
    const s = softmaxShapes(
      inputs.map((t) => t.shape),
      attrs,
    );
    const x = inputs[0];
    const bias = attrs.hasBias ? inputs[1] : x;
    const mask = attrs.hasKeyMask ? inputs[attrs.hasBias ? 2 : 1] : x;
    const flags = (attrs.hasBias ? 1 : 0) | (attrs.hasKeyMask ? 2 : 0);
    const h = x.dtype === 'f16';
    check(!h || f16, "softmax: f16 scores need the WebGPU 'shader-f16' feature, which this adapter does not offer");
    runner.dispatch({
      label: h ? 'softmax-f16' : 'softmax',
      code: h ? codeF16 : code,
      ...(h
        ? { entryPoint: 'forward', workgroups: rowGrid(Math.ceil(s.rows / ROWS_PER_WG)) }
        : variant('forward', s.rows, s.Tk)),
      uniforms: params({
        rows: s.rows,
        Tq: s.Tq,
        Tk: s.Tk,
        rowsPerBatch: s.rowsPerBatch,
        biasRows: s.biasRows,
        scale: attrs.scale ?? 1,
        causal: attrs.causal ? 1 : 0,
        offset: s.offset,
        flags,
      }),
      buffers: [x.buffer, bias.buffer, mask.buffer, y.buffer],
    });
  },
};

export const softmaxBackwardOp: OpDef<SoftmaxAttrs> = {
  name: 'softmax-backward',
  infer([y, dy]) {
    check(y.dtype === 'f32' && dy.dtype === 'f32', 'softmaxBackward: f32 inputs expected');
    check(
      y.shape.length >= 1 && `${y.shape}` === `${dy.shape}`,
      () => `softmaxBackward: y [${y.shape}] and dy [${dy.shape}] must match`,
    );
    return [{ shape: [...y.shape], dtype: 'f32' }];
  },
  ref: softmaxBackwardRef,
  gpu({ runner }, [y, dy], [dx], attrs) {
    const Tk = y.shape[y.shape.length - 1];
    const rows = y.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    runner.dispatch({
      label: 'softmax-backward',
      code,
      ...variant('backward', rows, Tk),
      // The backward reads rows, Tk and scale only; the masking fields describe no mask.
      uniforms: params({
        rows,
        Tq: 1,
        Tk,
        rowsPerBatch: 1,
        biasRows: 1,
        scale: attrs.scale ?? 1,
        causal: 0,
        offset: 0,
        flags: 0,
      }),
      buffers: [y.buffer, dy.buffer, dx.buffer],
    });
  },
};

/** probs = softmax(x · scale + bias + masks) over the last axis of x [B, NH, Tq, Tk] (any rank without masks). */
export async function softmax(
  be: Backend,
  x: Tensor,
  attrs: SoftmaxAttrs = {},
  masks: SoftmaxMasks = {},
): Promise<Tensor> {
  const inputs = [x, ...(masks.bias ? [masks.bias] : []), ...(masks.keyMask ? [masks.keyMask] : [])];
  const [y] = await be.run(softmaxOp, inputs, { ...attrs, hasBias: !!masks.bias, hasKeyMask: !!masks.keyMask });
  return y;
}

/** dx = scale · y ⊙ (dy − Σ y ⊙ dy) over the last axis, from the forward's output y. */
export async function softmaxBackward(be: Backend, y: Tensor, dy: Tensor, attrs: SoftmaxAttrs = {}): Promise<Tensor> {
  const [dx] = await be.run(softmaxBackwardOp, [y, dy], attrs);
  return dx;
}
