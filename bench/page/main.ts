// The in-page benchmark: our engine and onnxruntime-web on the same adapter, in the same run. For every case
// both sides are prepared and warmed up, then timed runs alternate between them so drift hits both equally.
// Results go to the Node driver (run.ts) through window.benchReport.
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import { acquireGpu } from '../../workers/gpu/device';
import { cases } from '../cases/index';
import { median } from '../lib/measure';
import type { BenchEnv, BenchRow, Runnable } from '../lib/types';

declare global {
  interface Window {
    benchReport?: (msg: unknown) => Promise<void>;
  }
}

const params = new URLSearchParams(location.search);
const warmup = Number(params.get('warmup') ?? 1);
const runs = Number(params.get('runs') ?? 5);
const filter = params.get('filter') ?? '';

function report(msg: unknown): Promise<void> {
  document.getElementById('log')!.textContent += `\n${JSON.stringify(msg)}`;
  return window.benchReport?.(msg) ?? Promise.resolve();
}

/** Seeded uniform data in [-1, 1) (mulberry32), so every run benchmarks the same numbers. */
function seeded(seed: number): (n: number) => Float32Array {
  let a = seed >>> 0;
  return (n) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    }
    return out;
  };
}

async function time(r: Runnable): Promise<number> {
  const t0 = performance.now();
  await r.run();
  return performance.now() - t0;
}

async function prepare(make: (() => Promise<Runnable | null>) | undefined, what: string, row: BenchRow): Promise<Runnable | null> {
  if (!make) return null;
  try {
    const r = await make();
    if (!r) row.note = `${what}: not yet available`;
    return r;
  } catch (e) {
    row.note = `${what} failed: ${(e as Error).message}`;
    return null;
  }
}

async function main(): Promise<void> {
  const gpu = await acquireGpu({ gpu: navigator.gpu });
  const backend = new WebGpuBackend(gpu);
  await report({ type: 'adapter', info: gpu.info, userAgent: navigator.userAgent });
  for (const c of cases) {
    if (filter && !`${c.group} ${c.shape}`.includes(filter)) continue;
    const env: BenchEnv = { backend, random: seeded(42) };
    const row: BenchRow = { group: c.group, shape: c.shape, flops: c.flops, oursMs: null, peerMs: null };
    const ours = await prepare(() => c.ours(env), 'ours', row);
    const peer = await prepare(c.peer && (() => c.peer!(env)), 'ORT', row);
    const sides = [ours, peer];
    const times: number[][] = [[], []];
    try {
      for (let i = 0; i < warmup; i++) for (const s of sides) if (s) await s.run();
      for (let i = 0; i < runs; i++)
        for (let j = 0; j < 2; j++) {
          const s = sides[j];
          if (s) times[j].push(await time(s));
        }
      row.oursMs = ours ? median(times[0]) : null;
      row.peerMs = peer ? median(times[1]) : null;
    } catch (e) {
      row.note = `${row.note ?? ''} run failed: ${(e as Error).message}`.trim();
    }
    ours?.dispose();
    peer?.dispose();
    if (c.verify && ours && peer)
      try {
        row.maxDiff = await c.verify(env);
      } catch (e) {
        row.note = `${row.note ?? ''} verify failed: ${(e as Error).message}`.trim();
      }
    await report({ type: 'row', row });
  }
  await report({ type: 'done', pool: backend.runner.pool.getStats(), warmup, runs });
}

main().catch((e) => report({ type: 'error', message: String((e as Error)?.stack ?? e) }));
