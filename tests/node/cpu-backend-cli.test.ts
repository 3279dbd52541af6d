// `stereoscope run --backend cpu` as a user runs it (child process, no Dawn): the Study A demo without its
// fine-tuning step profiles on the CPU backend and writes a bundle; the full demo (which fine-tunes) and Study B
// (which unlearns) are refused with "Training needs WebGPU" before anything loads; the engine check passes on CPU,
// its large shape on onnxruntime-web's wasm engine (the CLI says that ORT runs the matrix products).
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../workers/contract/run-bundle';
import type { EmotionProfilesResult } from '../../workers/contract/results/emotion-profiles';

const run = promisify(execFile);
const cli = (args: string[], env: NodeJS.ProcessEnv) =>
  run(process.execPath, [join(process.cwd(), 'bin/stereoscope.mjs'), 'run', ...args], { timeout: 110_000, env }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

describe('stereoscope run --backend cpu', () => {
  let root = '';
  let env: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cpu-cli-'));
    mkdirSync(join(root, 'static', 'translations'), { recursive: true });
    cpSync('static/translations/study-a', join(root, 'static', 'translations', 'study-a'), { recursive: true });
    await run(
      process.execPath,
      [join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), join(process.cwd(), 'scripts/make-demo.ts')],
      { cwd: root, timeout: 60_000 },
    );
    // No Vulkan driver: proves the CPU path never needs Dawn.
    env = { ...process.env, STEREOSCOPE_STATIC: join(root, 'static'), VK_ICD_FILENAMES: '/nonexistent.json' };
  }, 90_000);

  it('profiles the Study A demo (no fine-tuning) on the CPU backend', async () => {
    const spec = JSON.parse(readFileSync('examples/demo/emotion-profiles.json', 'utf8'));
    delete spec.fineTune;
    const file = join(root, 'profiles-only.json');
    writeFileSync(file, JSON.stringify(spec));
    const out = join(root, 'results.json');
    const { code, stderr } = await cli([file, '--out', out, '--backend', 'cpu'], env);
    expect(stderr).toMatch(/CPU backend .*training and fine-tuning need WebGPU/);
    expect(stderr).toMatch(/Matrix products run on onnxruntime-web 1\.\d+\.\d+ \(WebAssembly, 1 thread\)/);
    expect(code, stderr).toBe(0);
    const { run: rec } = readBundle(JSON.parse(readFileSync(out, 'utf8')));
    expect(rec.status).toBe('done');
    expect(rec.device).toBe('cpu');
    const r = rec.result as EmotionProfilesResult;
    expect(r.profiles).toHaveLength(2 * 12);
    expect(r.profiles.filter((p) => p.profile).length).toBeGreaterThan(0);
    expect(r.fineTune).toBeUndefined();
  });

  it('refuses training specs with "Training needs WebGPU" before loading anything', async () => {
    for (const example of ['emotion-profiles', 'geo-unlearning']) {
      const { code, stderr } = await cli(
        [`examples/demo/${example}.json`, '--out', join(root, `${example}.json`), '--backend', 'cpu'],
        env,
      );
      expect(code).toBe(1);
      expect(stderr).toMatch(/NeedsWebGpuError: Training needs WebGPU/);
      expect(stderr).not.toMatch(/loading /);
    }
  });

  it('runs the engine check on the CPU backend and rejects an unknown --backend', async () => {
    const file = join(root, 'engine.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        kind: 'engine-check',
        seed: 1,
        shapes: [
          [5, 7, 9],
          [33, 17, 64],
          [96, 80, 64],
        ],
        repeats: 2,
      }),
    );
    const { code, stderr } = await cli([file, '--out', join(root, 'engine-out.json'), '--backend', 'cpu'], env);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/all 3 shapes match the float64 reference/);
    expect(stderr).not.toMatch(/failed to start/);
    const bad = await cli([file, '--backend', 'gpu'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--backend must be auto, webgpu or cpu/);
  });
});
