// Releases every parameter tensor a loaded model holds — weights, biases, LoRA matrices (wrappers included) and
// their gradients — when a run or a benchmark is done with it. The host keeps one device across runs, so a model
// that is not released keeps its weights in the buffer pool until the tab closes. The models have many layer
// shapes (XLM-R, Llama, T5, with or without adapters); this walks their own properties and finds the parameters by
// their shape ({ name, value, grad }), so a new layer type needs no change here. Each tensor is released once even
// when two parameters share it (tied embeddings), and the walk never enters a backend or a tensor's runner.
import type { Tensor } from '../../workers/backend/backend';

function isParam(o: Record<string, unknown>): boolean {
  return (
    typeof o.name === 'string' &&
    'value' in o &&
    'grad' in o &&
    typeof (o.value as Tensor | undefined)?.dispose === 'function'
  );
}

/** A backend, a device or a GPU tensor (which points at its runner): nothing in them belongs to the model. */
function isEngine(o: Record<string, unknown>): boolean {
  return 'runner' in o || 'device' in o || (typeof o.run === 'function' && typeof o.upload === 'function');
}

export function disposeModelWeights(model: object): void {
  const seenObjects = new Set<object>();
  const seenTensors = new Set<Tensor>();
  const walk = (o: unknown): void => {
    if (!o || typeof o !== 'object' || ArrayBuffer.isView(o) || seenObjects.has(o)) return;
    seenObjects.add(o);
    const rec = o as Record<string, unknown>;
    if (isParam(rec)) {
      for (const t of [rec.value, rec.grad] as (Tensor | null)[])
        if (t && !seenTensors.has(t)) (seenTensors.add(t), t.dispose());
      rec.grad = null;
      return;
    }
    if (isEngine(rec)) return;
    for (const v of Array.isArray(o) ? o : Object.values(rec)) walk(v);
  };
  walk(model);
}
