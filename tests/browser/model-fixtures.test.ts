// XLM-R, Llama and T5 on the engine inside headless Chromium (WebGPU on SwiftShader), against the Hugging Face
// fixtures: the same model code as in Node, through the browser's WebGPU. Files are read through vitest's server
// commands (paths resolve from the project root; the fixtures are the public set in ../shared).
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { causalLmLoss } from '../../models/common/causal-lm';
import { LlamaForCausalLM } from '../../models/llama/model';
import { openCheckpoint, type Checkpoint } from '../../models/load/checkpoint';
import { memorySource } from '../../models/load/source';
import { seq2seqLoss } from '../../models/t5/seq2seq';
import { T5ForConditionalGeneration } from '../../models/t5/model';
import { maskedLmLoss } from '../../models/xlmr/masked-lm';
import { XlmrForMaskedLM } from '../../models/xlmr/model';
import { expectClose } from '../helpers/compare';
import { testBackend } from '../helpers/gpu';

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function fixture(name: string): Promise<{ ref: any; ckpt: Checkpoint }> {
  const dir = `../shared/fixtures/${name}`;
  const ref = JSON.parse(await commands.readFile(`${dir}/reference.json`));
  const source = memorySource({
    'config.json': await commands.readFile(`${dir}/config.json`),
    'model.safetensors': fromBase64(await commands.readFile(`${dir}/model.safetensors`, 'base64')),
  });
  return { ref, ckpt: await openCheckpoint(source) };
}

/** Values at the [b, t] positions where keep(b, t), for a [B, T, V] tensor. */
function at(data: ArrayLike<number>, [B, T, V]: number[], keep: (b: number, t: number) => boolean): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) if (keep(b, t)) for (let v = 0; v < V; v++) out.push(data[(b * T + t) * V + v]);
  return out;
}

const LOGITS = { atol: 1e-4, rtol: 0 };
const LOSS = { atol: 1e-5, rtol: 0 };

describe('model fixtures in Chromium', () => {
  it('XLM-R: logits and masked-LM loss', async () => {
    expect(navigator.gpu, 'WebGPU must be available in this Chromium').toBeTruthy();
    const { ref, ckpt } = await fixture('xlmr-tiny');
    const be = await testBackend();
    const model = await XlmrForMaskedLM.load(be, ckpt);
    const inp = ref.inputs;
    const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
    const out = await model.forward(batch);
    const keep = (b: number, t: number) => inp.attention_mask[b][t] === 1;
    const shape = ref.outputs.logits.shape;
    expectClose(
      at(await be.download(out.logits!), shape, keep),
      at(ref.outputs.logits.data, shape, keep),
      LOGITS,
      'logits',
    );
    model.dispose(out);
    expectClose([await maskedLmLoss(model, { ...batch, labels: inp.labels })], [ref.outputs.loss], LOSS, 'loss');
  });

  it('Llama: logits and causal-LM loss', async () => {
    const { ref, ckpt } = await fixture('llama-tiny');
    const be = await testBackend();
    const model = await LlamaForCausalLM.load(be, ckpt);
    const inp = ref.inputs;
    const batch = { inputIds: inp.input_ids, attentionMask: inp.attention_mask };
    const out = await model.forward(batch);
    const keep = (b: number, t: number) => inp.attention_mask[b][t] === 1;
    const shape = ref.outputs.logits.shape;
    expectClose(
      at(await be.download(out.logits), shape, keep),
      at(ref.outputs.logits.data, shape, keep),
      LOGITS,
      'logits',
    );
    model.dispose(out);
    expectClose([await causalLmLoss(model, { ...batch, labels: inp.labels })], [ref.outputs.loss], LOSS, 'loss');
  });

  it('T5: decoder logits and seq2seq loss', async () => {
    const { ref, ckpt } = await fixture('t5-tiny');
    const be = await testBackend();
    const model = await T5ForConditionalGeneration.load(be, ckpt);
    const inp = ref.inputs;
    const out = await model.forward({
      inputIds: inp.input_ids,
      attentionMask: inp.attention_mask,
      decoderInputIds: inp.decoder_input_ids,
    });
    const keep = (b: number, t: number) => inp.labels[b][t] !== -100;
    const shape = ref.outputs.logits.shape;
    expectClose(
      at(await be.download(out.logits), shape, keep),
      at(ref.outputs.logits.data, shape, keep),
      LOGITS,
      'logits',
    );
    model.dispose(out);
    const loss = await seq2seqLoss(model, {
      inputIds: inp.input_ids,
      attentionMask: inp.attention_mask,
      labels: inp.labels,
    });
    expectClose([loss], [ref.outputs.loss], LOSS, 'loss');
  });
});
