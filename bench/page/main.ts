// The in-page benchmark: our engine and onnxruntime-web (both builds) on the same adapter, in the same run. For
// every case all sides are prepared and warmed up, then timed runs alternate between them so drift hits all.
// Results go to the Node driver (run.ts) through window.benchReport. A case that fails ends the run: the page
// reports the error and runs nothing more (the driver exits non-zero), so a broken case cannot hide in a note.
import { openWebGpuEngine } from '../../workers/engine/open-engine';
import { faultCases, isFaultKind } from '../cases/fault-injection';
import { benchCases } from '../cases/index';
import { median } from '../lib/measure';
import type { BenchCase, BenchEnv, BenchRow, BenchScale, OrtBuild, Runnable } from '../lib/types';

declare global {
  interface Window {
    benchReport?: (msg: unknown) => Promise<void>;
  }
}

const params = new URLSearchParams(location.search);
const scale: BenchScale = params.get('scale') === 'quick' ? 'quick' : 'full';
// --quick checks that every case runs: one timed run, no warm-up, whatever the case asks for.
const quick = scale === 'quick' ? { runs: 1, warmup: 0 } : null;
const warmup = Number(params.get('warmup') ?? 1);
const runs = Number(params.get('runs') ?? 5);
const filter = params.get('filter') ?? '';
const builds = (params.get('ort') ?? 'jsep,native').split(',').filter(Boolean) as OrtBuild[];
const fault = params.get('fault');

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

/** max |a − b| over two outputs of equal length; throws when they cannot be compared (the race would be void). */
function maxAbsDiff(a: Float32Array, b: Float32Array, peer: string): number {
  if (a.length !== b.length) throw new Error(`ours has ${a.length} output values, ${peer} ${b.length}`);
  if (!a.every(Number.isFinite) || !b.every(Number.isFinite))
    throw new Error(`an output of ours or ${peer} is not finite`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function selectedCases(): BenchCase[] {
  if (fault !== null) {
    if (!isFaultKind(fault)) throw new Error(`unknown fault kind "${fault}"`);
    return faultCases(fault);
  }
  return benchCases(scale).filter((c) => !filter || `${c.group} ${c.shape}`.includes(filter));
}

/** Prepares, warms up, compares and times one case; any error ends the bench (the caller reports it). */
async function runCase(c: BenchCase, env: (b: OrtBuild) => BenchEnv, ourTimes: Map<string, number>): Promise<BenchRow> {
  const row: BenchRow = {
    group: c.group,
    shape: c.shape,
    flops: c.flops,
    oursMs: null,
    peers: builds.map((build) => ({ build, ms: null })),
  };
  const sides: (Runnable | null)[] = [];
  try {
    const ours = await c.ours(env(builds[0]));
    if (!ours) row.note = 'ours: not yet available';
    sides.push(ours);
    for (const b of builds) sides.push(c.peer ? await c.peer(env(b)) : null);
    const warm = quick?.warmup ?? c.warmup ?? warmup;
    const timed = quick?.runs ?? c.runs ?? runs;
    const compare = async () => {
      // Outputs of the first runs, compared before any timing where there is a warm-up (a race between different
      // computations is void); --quick has none, so it compares the outputs of its one timed run.
      const out = sides[0]?.output ? await sides[0].output() : null;
      for (const [j, p] of row.peers.entries()) {
        const peer = sides[j + 1];
        if (out && peer?.output) p.maxDiff = maxAbsDiff(out, await peer.output(), `ORT ${p.build}`);
      }
    };
    for (let i = 0; i < warm; i++) for (const s of sides) if (s) await s.run();
    if (warm > 0) await compare();
    const times: number[][] = sides.map(() => []);
    for (let i = 0; i < timed; i++) for (const [j, s] of sides.entries()) if (s) times[j].push(await time(s));
    if (warm === 0) await compare();
    row.oursMs = sides[0] ? median(times[0]) : null;
    row.peers.forEach((p, j) => (p.ms = sides[j + 1] ? median(times[j + 1]) : null));
    const ref = c.relativeTo && ourTimes.get(c.relativeTo);
    if (ref && row.oursMs) row.note = `${row.note ?? ''} = ${(row.oursMs / ref).toFixed(2)}× ${c.relativeTo}`.trim();
    if (row.oursMs) ourTimes.set(`${c.group} ${c.shape}`, row.oursMs);
    const extra = sides.map((s) => s?.summary?.()).filter(Boolean);
    if (extra.length) row.note = [row.note, ...extra].filter(Boolean).join('\n    ');
  } finally {
    sides.forEach((s) => s?.dispose());
  }
  if (c.verify && sides[0])
    for (const [j, p] of row.peers.entries()) if (sides[j + 1]) p.maxDiff = await c.verify(env(p.build));
  return row;
}

async function main(): Promise<void> {
  const cases = selectedCases();
  const ourTimes = new Map<string, number>();
  const { gpu, backend } = await openWebGpuEngine(navigator.gpu);
  await report({ type: 'adapter', info: gpu.info, userAgent: navigator.userAgent, cases: cases.length });
  // The same seed for every side, so each sees the same data.
  const env = (ortBuild: OrtBuild): BenchEnv => ({ backend, ortBuild, random: seeded(42) });
  for (const [index, c] of cases.entries()) {
    const name = `${c.group} ${c.shape}`;
    await report({ type: 'case', name, index, timeLimitMs: c.timeLimitMs });
    let row: BenchRow;
    try {
      row = await runCase(c, env, ourTimes);
    } catch (e) {
      await report({ type: 'error', case: name, message: String((e as Error)?.stack ?? e) });
      return;
    }
    await report({ type: 'row', row });
  }
  await report({
    type: 'done',
    pool: backend.runner.pool.getStats(),
    warmup: quick?.warmup ?? warmup,
    runs: quick?.runs ?? runs,
    builds,
    scale,
  });
}

main().catch((e) => report({ type: 'error', message: String((e as Error)?.stack ?? e) }));
