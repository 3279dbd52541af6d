// XLM-R on the engine inside headless Chromium (WebGPU on SwiftShader), against the Hugging Face fixtures: the
// same model code as in Node, fed through the browser's WebGPU. Files are read through vitest's server commands.
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { openCheckpoint } from '../../models/load/checkpoint';
import { memorySource } from '../../models/load/source';
import { maskedLmLoss } from '../../models/xlmr/masked-lm';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';

// vitest resolves these paths from the project root; the fixture set is the public one in ../shared.
const DIR = '../shared/fixtures/xlmr-tiny';

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

describe('XLM-R in Chromium', () => {
  it('logits and loss match transformers on the real positions', async () => {
    expect(navigator.gpu, 'WebGPU must be available in this Chromium').toBeTruthy();
    const ref = JSON.parse(await commands.readFile(`${DIR}/reference.json`));
    const source = memorySource({
      'config.json': await commands.readFile(`${DIR}/config.json`),
      'model.safetensors': fromBase64(await commands.readFile(`${DIR}/model.safetensors`, 'base64')),
    });
    const be = await testBackend();
    const model = await XlmrForMaskedLM.load(be, await openCheckpoint(source));
    const inp = ref.inputs;
    const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
    const out = await model.forward(batch);
    const [B, T, V] = ref.outputs.logits.shape;
    const got = await be.download(out.logits!);
    const a: number[] = [];
    const e: number[] = [];
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        if (inp.attention_mask[b][t] === 1)
          for (let v = 0; v < V; v++) {
            a.push(got[(b * T + t) * V + v]);
            e.push(ref.outputs.logits.data[(b * T + t) * V + v]);
          }
    expectClose(a, e, { atol: 1e-4, rtol: 0 }, 'logits');
    model.dispose(out);
    const loss = await maskedLmLoss(model, { ...batch, labels: inp.labels });
    expectClose([loss], [ref.outputs.loss], { atol: 1e-5, rtol: 0 }, 'loss');
  });
});
