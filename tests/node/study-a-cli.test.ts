// `stereoscope run examples/demo/emotion-profiles.json` as a user runs it (child process), on demo assets that
// scripts/make-demo.ts generates into a scratch folder: the bundle holds profiles, RSA, the loss curve, the
// CSV-shaped tables and the adapter checkpoint.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../workers/contract/run-bundle';
import type { EmotionProfilesResult } from '../../workers/contract/results/emotion-profiles';

const run = promisify(execFile);

describe('stereoscope run: Study A demo', () => {
  it('profiles, correlates and fine-tunes headless and writes an importable bundle', async () => {
    const root = mkdtempSync(join(tmpdir(), 'study-a-cli-'));
    mkdirSync(join(root, 'static', 'translations'), { recursive: true });
    cpSync('static/translations/study-a', join(root, 'static', 'translations', 'study-a'), { recursive: true });
    await run(
      process.execPath,
      [join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), join(process.cwd(), 'scripts/make-demo.ts')],
      { cwd: root, timeout: 60_000 },
    );
    const out = join(root, 'results.json');
    const env = { ...process.env, STEREOSCOPE_STATIC: join(root, 'static') };
    const { stderr } = await run(
      process.execPath,
      [join(process.cwd(), 'bin/stereoscope.mjs'), 'run', 'examples/demo/emotion-profiles.json', '--out', out],
      { timeout: 110_000, env },
    );
    expect(stderr).toMatch(/prompts\/s/);
    const { run: rec, artifacts } = readBundle(JSON.parse(readFileSync(out, 'utf8')));
    expect(rec.status).toBe('done');
    const r = rec.result as EmotionProfilesResult;
    expect(r.demo).toBe(true);
    expect(r.languages.map((l) => l.code)).toEqual(['en', 'fr']);
    expect(r.profiles).toHaveLength(2 * 12);
    expect(r.correlations.languages.labels).toEqual(['en', 'fr']);
    expect(r.correlations.languages.values[0][0]).toBeCloseTo(1, 6);
    expect(r.fineTune!.losses).toHaveLength(3);
    expect(r.tables['emotion_profiles/English/gender'].columns).toEqual([
      'group',
      'anger',
      'anticipation',
      'disgust',
      'fear',
      'joy',
      'negative',
      'positive',
      'sadness',
      'surprise',
      'trust',
    ]);
    expect(r.tables['fine-tune/loss'].rows).toHaveLength(3);
    expect(artifacts.some((a) => a.key.endsWith('adapter_model.safetensors'))).toBe(true);
  });
});
