// `stereoscope forward` as outside tools call it (child process, files in and out), checked against Hugging Face's
// numbers for every XLM-R and Llama fixture: logits, hidden states, loss, and with --grad the LoRA gradients keyed
// as in adapter_model.safetensors.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { peftKey, writePeftAdapter } from '../../models/load/peft';
import { expectClose } from '../helpers/compare';
import { fixtures, maskedIndices, pick, type Fixture } from '../models/fixtures';

const exec = promisify(execFile);
const BIN = join(process.cwd(), 'bin/stereoscope.mjs');

async function writeAdapter(f: Fixture, dir: string): Promise<void> {
  const lora = f.ref.lora;
  const tensors = lora.adapters.flatMap(
    (a: { module: string; A: { shape: number[]; data: number[] }; B: { shape: number[]; data: number[] } }) => [
      { key: peftKey(a.module, 'A'), shape: a.A.shape, data: Float32Array.from(a.A.data) },
      { key: peftKey(a.module, 'B'), shape: a.B.shape, data: Float32Array.from(a.B.data) },
    ],
  );
  const targetModules = [
    ...new Set(lora.adapters.map((a: { module: string }) => a.module.split('.').pop()!)),
  ] as string[];
  const files = writePeftAdapter({ baseModel: f.name, r: lora.r, alpha: lora.alpha, targetModules, tensors });
  await writeFile(join(dir, 'adapter_config.json'), files['adapter_config.json']);
  await writeFile(join(dir, 'adapter_model.safetensors'), files['adapter_model.safetensors']);
}

const cases = [...fixtures('XLMRobertaForMaskedLM'), ...fixtures('LlamaForCausalLM')];

describe.each(cases)('stereoscope forward on $name', (f) => {
  it('prints HF-equal loss, logits, hidden states and LoRA grads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stereoscope-fwd-'));
    const inp = f.ref.inputs;
    await writeFile(
      join(dir, 'batch.json'),
      JSON.stringify({ input_ids: inp.input_ids, attention_mask: inp.attention_mask, labels: inp.labels }),
    );
    await exec(
      process.execPath,
      [BIN, 'forward', f.dir, '--batch', join(dir, 'batch.json'), '--out', join(dir, 'plain.json')],
      { timeout: 120_000 },
    );
    const plain = JSON.parse(await readFile(join(dir, 'plain.json'), 'utf8'));
    const real = (shape: number[]) => maskedIndices(shape, (b, t) => inp.attention_mask[b][t] === 1);
    expect(plain.logits.shape).toEqual(f.ref.outputs.logits.shape);
    const li = real(plain.logits.shape);
    expectClose(pick(plain.logits.data, li), pick(f.ref.outputs.logits.data, li), { atol: 1e-4, rtol: 0 }, 'logits');
    expect(plain.hidden_states.length).toBe(f.ref.outputs.hidden_states.length);
    plain.hidden_states.forEach((h: { shape: number[]; data: number[] }, i: number) => {
      const hi = real(h.shape);
      expectClose(
        pick(h.data, hi),
        pick(f.ref.outputs.hidden_states[i].data, hi),
        { atol: 1e-4, rtol: 0 },
        `hidden_states[${i}]`,
      );
    });
    expectClose([plain.loss], [f.ref.outputs.loss], { atol: 1e-5, rtol: 0 }, 'loss');

    await writeAdapter(f, dir);
    await exec(
      process.execPath,
      [
        BIN,
        'forward',
        f.dir,
        '--batch',
        join(dir, 'batch.json'),
        '--adapter',
        dir,
        '--grad',
        '--out',
        join(dir, 'grad.json'),
      ],
      {
        timeout: 120_000,
      },
    );
    const withGrad = JSON.parse(await readFile(join(dir, 'grad.json'), 'utf8'));
    expectClose([withGrad.loss], [f.ref.lora.loss], { atol: 1e-5, rtol: 0 }, 'LoRA loss');
    for (const g of f.ref.lora.grads) {
      const module = f.ref.lora.adapters.find((a: { id: string }) => a.id === g.id).module;
      expectClose(withGrad.grads[peftKey(module, 'A')].data, g.dA.data, { atol: 1e-5, rtol: 1e-3 }, `${g.id} dA`);
      expectClose(withGrad.grads[peftKey(module, 'B')].data, g.dB.data, { atol: 1e-5, rtol: 1e-3 }, `${g.id} dB`);
    }
  });

  it('refuses a malformed batch with a clear message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stereoscope-fwd-'));
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ input_ids: [[1, 2], [3]] }));
    const err = await exec(process.execPath, [BIN, 'forward', f.dir, '--batch', join(dir, 'bad.json')]).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/equal lengths/);
  });
});

describe.each(fixtures('T5ForConditionalGeneration'))('stereoscope forward on $name', (f) => {
  it('prints HF-equal loss, logits, encoder/decoder hidden states and LoRA grads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stereoscope-fwd-'));
    const inp = f.ref.inputs;
    const out = f.ref.outputs;
    await writeFile(
      join(dir, 'batch.json'),
      JSON.stringify({ input_ids: inp.input_ids, attention_mask: inp.attention_mask, labels: inp.labels }),
    );
    await writeAdapter(f, dir);
    const args = [
      'forward',
      f.dir,
      '--batch',
      join(dir, 'batch.json'),
      '--adapter',
      dir,
      '--grad',
      '--out',
      join(dir, 'out.json'),
    ];
    await exec(process.execPath, [BIN, ...args], { timeout: 180_000 });
    const got = JSON.parse(await readFile(join(dir, 'out.json'), 'utf8'));
    // With the adapter applied, logits and loss are the fixture's LoRA numbers.
    const dec = (shape: number[]) => maskedIndices(shape, (b, t) => inp.labels[b][t] !== -100);
    const enc = (shape: number[]) => maskedIndices(shape, (b, t) => inp.attention_mask[b][t] === 1);
    const li = dec(got.logits.shape);
    expectClose(pick(got.logits.data, li), pick(f.ref.lora.logits.data, li), { atol: 1e-4, rtol: 0 }, 'LoRA logits');
    expectClose([got.loss], [f.ref.lora.loss], { atol: 1e-5, rtol: 0 }, 'LoRA loss');
    // The encoder's first hidden state (embeddings) does not depend on the adapter.
    expectClose(
      pick(got.encoder_hidden_states[0].data, enc(got.encoder_hidden_states[0].shape)),
      pick(out.encoder_hidden_states[0].data, enc(out.encoder_hidden_states[0].shape)),
      { atol: 1e-4, rtol: 0 },
      'encoder embeddings',
    );
    expect(got.encoder_hidden_states.length).toBe(out.encoder_hidden_states.length);
    expect(got.decoder_hidden_states.length).toBe(out.decoder_hidden_states.length);
    for (const g of f.ref.lora.grads) {
      const module = f.ref.lora.adapters.find((a: { id: string }) => a.id === g.id).module;
      expectClose(got.grads[peftKey(module, 'A')].data, g.dA.data, { atol: 1e-5, rtol: 1e-3 }, `${g.id} dA`);
      expectClose(got.grads[peftKey(module, 'B')].data, g.dB.data, { atol: 1e-5, rtol: 1e-3 }, `${g.id} dB`);
    }
  });
});
