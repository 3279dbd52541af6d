// The in-page benchmark: our engine and onnxruntime-web (both builds) on the same adapter, in the same run. For
// every case all sides are prepared and warmed up, then timed runs alternate between them so drift hits all.
// Results go to the Node driver (run.ts) through window.benchReport.
import { openWebGpuEngine } from '../../workers/engine/open-engine';
import { cases } from '../cases/index';
import { median } from '../lib/measure';
import type { BenchEnv, BenchRow, OrtBuild, Runnable } from '../lib/types';

declare global {
  interface Window {
    benchReport?: (msg: unknown) => Promise<void>;
  }
}

const params = new URLSearchParams(location.search);
const warmup = Number(params.get('warmup') ?? 1);
const runs = Number(params.get('runs') ?? 5);
const filter = params.get('filter') ?? '';
const builds = (params.get('ort') ?? 'jsep,native').split(',').filter(Boolean) as OrtBuild[];

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
    if (!r) row.note = `${row.note ?? ''} ${what}: not yet available`.trim();
    return r;
  } catch (e) {
    row.note = `${row.note ?? ''} ${what} failed: ${(e as Error).message}`.trim();
    return null;
  }
}

/** max |a − b| over two outputs of equal length (NaN when the lengths differ or a value is not finite). */
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return NaN;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return a.every(Number.isFinite) && b.every(Number.isFinite) ? worst : NaN;
}

async function main(): Promise<void> {
  const ourTimes = new Map<string, number>();
  const { gpu, backend } = await openWebGpuEngine(navigator.gpu);
  await report({ type: 'adapter', info: gpu.info, userAgent: navigator.userAgent });
  for (const c of cases) {
    if (filter && !`${c.group} ${c.shape}`.includes(filter)) continue;
    // The same seed for every side, so each sees the same data.
    const env = (ortBuild: OrtBuild): BenchEnv => ({ backend, ortBuild, random: seeded(42) });
    const row: BenchRow = { group: c.group, shape: c.shape, flops: c.flops, oursMs: null, peers: [] };
    const sides = [await prepare(() => c.ours(env(builds[0])), 'ours', row)];
    for (const b of builds) {
      sides.push(await prepare(c.peer && (() => c.peer!(env(b))), `ORT ${b}`, row));
      row.peers.push({ build: b, ms: null });
    }
    const times: number[][] = sides.map(() => []);
    try {
      for (let i = 0; i < (c.warmup ?? warmup); i++) for (const s of sides) if (s) await s.run();
      // Outputs of the warm-up runs, compared before any timing (a race between different computations is void).
      const ours = sides[0]?.output ? await sides[0].output() : null;
      for (const [j, p] of row.peers.entries()) {
        const peer = sides[j + 1];
        if (ours && peer?.output) p.maxDiff = maxAbsDiff(ours, await peer.output());
      }
      for (let i = 0; i < (c.runs ?? runs); i++)
        for (const [j, s] of sides.entries()) if (s) times[j].push(await time(s));
      row.oursMs = sides[0] ? median(times[0]) : null;
      row.peers.forEach((p, j) => (p.ms = sides[j + 1] ? median(times[j + 1]) : null));
      const ref = c.relativeTo && ourTimes.get(c.relativeTo);
      if (ref && row.oursMs) row.note = `${row.note ?? ''} = ${(row.oursMs / ref).toFixed(2)}× ${c.relativeTo}`.trim();
      if (row.oursMs) ourTimes.set(`${c.group} ${c.shape}`, row.oursMs);
      const extra = sides.map((s) => s?.summary?.()).filter(Boolean);
      if (extra.length) row.note = [row.note, ...extra].filter(Boolean).join('\n    ');
    } catch (e) {
      row.note = `${row.note ?? ''} run failed: ${(e as Error).message}`.trim();
    }
    sides.forEach((s) => s?.dispose());
    if (c.verify && sides[0])
      for (const [j, p] of row.peers.entries()) {
        if (!sides[j + 1]) continue;
        try {
          p.maxDiff = await c.verify(env(p.build));
        } catch (e) {
          row.note = `${row.note ?? ''} verify (${p.build}) failed: ${(e as Error).message}`.trim();
        }
      }
    await report({ type: 'row', row });
  }
  await report({ type: 'done', pool: backend.runner.pool.getStats(), warmup, runs, builds });
}

main().catch((e) => report({ type: 'error', message: String((e as Error)?.stack ?? e) }));
