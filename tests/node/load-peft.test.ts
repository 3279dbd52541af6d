// PEFT adapter files: the fixture's LoRA adapters written in PEFT's layout and read back bit for bit, with
// PEFT's key names and config fields, and malformed adapters rejected with clear messages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPeftAdapter, writePeftAdapter, type PeftAdapter } from '../../models/load/peft';
import { parseSafetensorsHeader } from '../../models/load/safetensors';
import { memorySource } from '../../models/load/source';
import { shared } from '../helpers/shared';

const FIXTURES = shared('fixtures');
const fixtures = readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, 'reference.json')));

interface RefTensor {
  shape: number[];
  data: number[];
}
interface RefAdapter {
  module: string;
  A: RefTensor;
  B: RefTensor;
}

function fromFixture(name: string): PeftAdapter {
  const lora = JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')).lora as {
    r: number;
    alpha: number;
    adapters: RefAdapter[];
  };
  const targets = [...new Set(lora.adapters.map((a) => a.module.split('.').pop()!))];
  return {
    baseModel: `fixtures/${name}`,
    r: lora.r,
    alpha: lora.alpha,
    targetModules: targets,
    taskType: name.includes('llama') ? 'CAUSAL_LM' : null,
    tensors: lora.adapters.flatMap((a) => [
      { key: `${a.module}.lora_A`, shape: a.A.shape, data: Float32Array.from(a.A.data) },
      { key: `${a.module}.lora_B`, shape: a.B.shape, data: Float32Array.from(a.B.data) },
    ]),
  };
}

describe('PEFT adapters', () => {
  it.each(fixtures)('%s: write → read round trip with PEFT key names and config', async (name) => {
    const adapter = fromFixture(name);
    const files = writePeftAdapter(adapter);
    const config = JSON.parse(files['adapter_config.json']);
    expect(config).toMatchObject({
      peft_type: 'LORA',
      r: adapter.r,
      lora_alpha: adapter.alpha,
      bias: 'none',
      fan_in_fan_out: false,
      inference_mode: true,
      base_model_name_or_path: adapter.baseModel,
      target_modules: adapter.targetModules,
    });
    const header = parseSafetensorsHeader(files['adapter_model.safetensors']);
    expect(header.metadata).toEqual({ format: 'pt' });
    for (const t of header.tensors) expect(t.name).toMatch(/^base_model\.model\..+\.lora_[AB]\.weight$/);
    const back = await readPeftAdapter(memorySource({ ...files }));
    expect(back.r).toBe(adapter.r);
    expect(back.alpha).toBe(adapter.alpha);
    expect(back.baseModel).toBe(adapter.baseModel);
    expect(back.tensors.length).toBe(adapter.tensors.length);
    for (const t of adapter.tensors) {
      const [module, which] = t.key.split(/\.lora_/);
      const got = back.tensors.find((x) => x.key === `base_model.model.${module}.lora_${which}.weight`)!;
      expect(got.shape).toEqual(t.shape);
      expect(got.data).toEqual(t.data);
    }
  });

  it('rejects malformed adapters', async () => {
    const a = fromFixture(fixtures[0]);
    const [A, B] = a.tensors;
    expect(() => writePeftAdapter({ ...a, tensors: [A] })).toThrow(/has lora_A but no lora_B/);
    expect(() => writePeftAdapter({ ...a, tensors: [{ ...A, shape: [A.shape[1], A.shape[0]] }, B] })).toThrow(
      /lora_A must be \[r=/,
    );
    expect(() => writePeftAdapter({ ...a, r: a.r + 1 })).toThrow(/must be/);
    expect(() => writePeftAdapter({ ...a, targetModules: ['nothing'] })).toThrow(/does not match/);
    expect(() => writePeftAdapter({ ...a, tensors: [{ ...A, key: 'weight' }] })).toThrow(/not a LoRA weight key/);
    const files = writePeftAdapter(a);
    const cfg = JSON.parse(files['adapter_config.json']);
    await expect(
      readPeftAdapter(memorySource({ ...files, 'adapter_config.json': JSON.stringify({ ...cfg, peft_type: 'IA3' }) })),
    ).rejects.toThrow(/not LORA/);
    await expect(
      readPeftAdapter(memorySource({ ...files, 'adapter_config.json': JSON.stringify({ ...cfg, r: cfg.r * 2 }) })),
    ).rejects.toThrow(/lora_A must be \[r=/);
    await expect(
      readPeftAdapter(memorySource({ 'adapter_config.json': files['adapter_config.json'] })),
    ).rejects.toThrow(/adapter_model\.safetensors not found/);
  });
});
