// Grouped-query scaled dot-product attention (forward and backward), as Hugging Face eager attention computes it;
// float64 reference in attention.ref.ts.
//
// Fused or composed? Measured on this project's adapter (SwiftShader, 2 shared cores) with
// bench/attention.bench.ts: mean ms per forward call including submit and sync, 20 calls, three runs (other
// engineers' tests were running at the same time, so absolute numbers are inflated and noisy, rme 10–60%):
//   shape                                              Node run 1      Node run 2      Chromium
//                                                      fused  comp.    fused  comp.    fused  comp.
//   XLM-R-like  B 2, T=S 32, NH=NKV 12, HS 64            238    311      642    636      356    592
//   Llama-like  B 1, T=S 64, NH 8, NKV 2, HS 64, causal  184    142      387    307      382    241
//   decoding    B 1, T 1, S 128, NH 8, NKV 2, HS 64      9.8     80     15.8    204      4.8    164
// (composed = permute heads with repeat_kv → tiled matmul q·kᵀ → masked softmax → matmul ·v → permute back.)
// Fused ships: decoding, the call a generation loop makes per token, is 8–30× faster; XLM-R-like prefill is on
// par or faster; no repeated kv heads are materialised. Llama-like causal prefill is 1.25–1.6× slower than
// composed, because each workgroup re-reads K and V for a single query row: tiling several query rows per
// workgroup is the known next step if prefill time matters.
import type { Backend, OpDef, Tensor } from '../../backend/backend';
import { check } from '../../gpu/errors';
import { uniformStruct } from '../../gpu/uniforms';
import { attentionShapes, type AttentionAttrs } from './attention-shapes';
import { attentionBackwardRef, attentionExtras, attentionInto, attentionRef } from './attention.ref';
import code from './attention.wgsl?raw';
import colsCode from './attention-backward-cols.wgsl?raw';
import rowsCode from './attention-backward-rows.wgsl?raw';

/** attention.wgsl `Params`: group = NH / NKV; key j is causally masked when j > t + offset; flags 0/1. */
const forwardParams = uniformStruct(
  {
    T: 'u32',
    S: 'u32',
    NH: 'u32',
    NKV: 'u32',
    HS: 'u32',
    group: 'u32',
    scale: 'f32',
    causal: 'u32',
    offset: 'i32',
    biasB: 'u32',
    hasBias: 'u32',
    hasMask: 'u32',
  },
  [code],
);
/** attention-backward-rows.wgsl and attention-backward-cols.wgsl `Params`. */
const backwardParams = uniformStruct(
  { T: 'u32', S: 'u32', NH: 'u32', NKV: 'u32', HS: 'u32', group: 'u32', scale: 'f32' },
  [rowsCode, colsCode],
);

export type { AttentionAttrs };

export interface AttentionOptions {
  scale: number;
  causal?: boolean;
  /** Query row i sees keys j ≤ i + causalOffset; default S − T (needed with a KV cache). */
  causalOffset?: number;
}

export interface AttentionExtras {
  /** Additive bias [NH, T, S] or [1|B, NH, T, S] (T5 relative position bias). */
  bias?: Tensor;
  /** f32 [B, S]: 1 keeps a key, 0 marks padding. */
  keyMask?: Tensor;
}

const f32Only = (name: string, specs: readonly { dtype: string }[]) =>
  specs.forEach((s, i) => check(s.dtype === 'f32', () => `${name}: input ${i} must be f32, got ${s.dtype}`));

export const attentionOp: OpDef<AttentionAttrs> = {
  name: 'attention',
  infer(inputs, attrs) {
    f32Only('attention', inputs);
    const { B, T, S, NH, HS } = attentionShapes(
      inputs.map((t) => t.shape),
      attrs,
    );
    return [
      { shape: [B, T, NH, HS], dtype: 'f32' },
      { shape: [B, NH, T, S], dtype: 'f32' },
    ];
  },
  ref: attentionRef,
  cpu(_ctx, inputs, [out, probs], attrs) {
    const s = attentionShapes(
      inputs.map((t) => t.shape),
      attrs,
    );
    const { bias, mask } = attentionExtras(inputs, attrs);
    attentionInto(
      s,
      attrs,
      inputs[0].f32,
      inputs[1].f32,
      inputs[2].f32,
      bias?.f32 ?? null,
      mask?.f32 ?? null,
      out.f32,
      probs.f32,
    );
  },
  gpu({ runner }, inputs, [out, probs], attrs) {
    const s = attentionShapes(
      inputs.map((t) => t.shape),
      attrs,
    );
    const [q, k, v] = inputs;
    let next = 3;
    // Absent optional inputs are bound to q (read-only aliasing is allowed); the kernel never reads them.
    const bias = attrs.hasBias ? inputs[next++] : q;
    const mask = attrs.hasMask ? inputs[next++] : q;
    runner.dispatch({
      label: 'attention',
      code,
      entryPoint: 'main',
      uniforms: forwardParams({
        T: s.T,
        S: s.S,
        NH: s.NH,
        NKV: s.NKV,
        HS: s.HS,
        group: s.group,
        scale: attrs.scale,
        causal: attrs.causal ? 1 : 0,
        offset: s.causalOffset,
        biasB: s.biasBatchStride,
        hasBias: attrs.hasBias ? 1 : 0,
        hasMask: attrs.hasMask ? 1 : 0,
      }),
      buffers: [q.buffer, k.buffer, v.buffer, bias.buffer, mask.buffer, out.buffer, probs.buffer],
      workgroups: [s.T, s.NH, s.B],
    });
  },
};

export const attentionBackwardOp: OpDef<{ scale: number }> = {
  name: 'attention-backward',
  infer(inputs, attrs) {
    f32Only('attention-backward', inputs);
    check(inputs.length === 5, 'attention-backward: inputs are q, k, v, probs, dOut');
    const [q, k, v, probs, dOut] = inputs;
    const { B, T, S, NH } = attentionShapes([q.shape, k.shape, v.shape], attrs);
    const sameShape = (a: readonly number[], b: readonly number[]) =>
      a.length === b.length && a.every((x, i) => x === b[i]);
    check(
      sameShape(probs.shape, [B, NH, T, S]),
      () => `attention-backward: probs [${probs.shape}] must be [${B}, ${NH}, ${T}, ${S}]`,
    );
    check(sameShape(dOut.shape, q.shape), () => `attention-backward: dOut [${dOut.shape}] must match q [${q.shape}]`);
    return [
      { shape: [...q.shape], dtype: 'f32' },
      { shape: [...k.shape], dtype: 'f32' },
      { shape: [...v.shape], dtype: 'f32' },
    ];
  },
  ref: attentionBackwardRef,
  gpu({ runner }, [q, k, v, probs, dOut], [dq, dk, dv], attrs) {
    const s = attentionShapes([q.shape, k.shape, v.shape], attrs);
    const uniforms = backwardParams({
      T: s.T,
      S: s.S,
      NH: s.NH,
      NKV: s.NKV,
      HS: s.HS,
      group: s.group,
      scale: attrs.scale,
    });
    // d loss / d scores, handed from the row pass to the column pass; pooled, so releasing it once both
    // dispatches are recorded is safe (later users are ordered after them in the same queue).
    const dS = runner.pool.acquire(probs.numel * 4, 'attention-dS');
    runner.dispatch({
      label: 'attention-backward-rows',
      code: rowsCode,
      entryPoint: 'main',
      uniforms,
      buffers: [probs.buffer, dOut.buffer, k.buffer, v.buffer, dS, dq.buffer],
      workgroups: [s.T, s.NH, s.B],
    });
    runner.dispatch({
      label: 'attention-backward-cols',
      code: colsCode,
      entryPoint: 'main',
      uniforms,
      buffers: [q.buffer, dOut.buffer, probs.buffer, dS, dk.buffer, dv.buffer],
      workgroups: [s.S, s.NKV, s.B],
    });
    runner.pool.release(dS);
  },
};

/** out [B, T, NH, HS] and probs [B, NH, T, S] (the backward cache). */
export async function attention(
  be: Backend,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions,
  extras: AttentionExtras = {},
): Promise<[Tensor, Tensor]> {
  const inputs = [q, k, v];
  if (extras.bias) inputs.push(extras.bias);
  if (extras.keyMask) inputs.push(extras.keyMask);
  const attrs: AttentionAttrs = { ...opts, hasBias: Boolean(extras.bias), hasMask: Boolean(extras.keyMask) };
  const [out, probs] = await be.run(attentionOp, inputs, attrs);
  return [out, probs];
}

/** [dq, dk, dv]; dk and dv are summed over the query heads that share a kv head. */
export async function attentionBackward(
  be: Backend,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  probs: Tensor,
  dOut: Tensor,
  opts: { scale: number },
): Promise<[Tensor, Tensor, Tensor]> {
  const [dq, dk, dv] = await be.run(attentionBackwardOp, [q, k, v, probs, dOut], { scale: opts.scale });
  return [dq, dk, dv];
}
