// Frees every GPU tensor of a loaded XLM-R after a Study A run: embeddings, every block's projections (LoRA
// wrappers with their A/B and gradients included), norms and the MLM head. Tied weights (the decoder sharing the
// word embeddings) are freed once. The model class has no such method; this walks its public structure.
import type { XlmrForMaskedLM } from '../../../models/xlmr/model';
import type { Tensor } from '../../backend/backend';
import type { Linear } from '../../nn/linear';
import { LoraLinear } from '../../nn/lora-linear';
import type { LayerNorm } from '../../nn/norms';
import type { Param } from '../../nn/param';
import type { Projection } from '../../nn/projection';

function params(p: Projection | Linear | LayerNorm): Param[] {
  if (p instanceof LoraLinear) return [...params(p.base), p.A, p.B];
  return 'eps' in p ? [p.weight, p.bias] : [p.weight, ...(p.bias ? [p.bias] : [])];
}

/** Every parameter of the model (weights, biases, LoRA matrices). */
export function modelParams(model: XlmrForMaskedLM): Param[] {
  const out: Param[] = [model.wordEmb, model.posEmb, model.typeEmb, ...params(model.embNorm)];
  for (const b of model.layers) out.push(...[b.attn.q, b.attn.k, b.attn.v, b.attn.o, b.mlp.fc1, b.mlp.fc2, b.attnNorm, b.outNorm].flatMap(params));
  if (model.head) out.push(...[model.head.dense, model.head.norm, model.head.decoder].flatMap(params));
  return out;
}

export function disposeModelWeights(model: XlmrForMaskedLM): void {
  const seen = new Set<Tensor>();
  for (const p of modelParams(model)) {
    for (const t of [p.value, p.grad]) if (t && !seen.has(t)) (seen.add(t), t.dispose());
    p.grad = null;
  }
  model.adapters = [];
}
