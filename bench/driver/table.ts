// The bench's table on stdout: one row per case, our time and each ORT build's time with its ratio and max |Δ|.
// Its layout is what people compare across runs (and what tests/node/bench.test.ts reads): keep it stable.
import type { BenchRow } from '../lib/types';
import type { PoolStats } from '../../workers/gpu/buffer-pool';

export interface AdapterReport {
  info: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean; features: object };
  userAgent: string;
}

export interface DoneReport {
  pool: PoolStats;
  runs: number;
  warmup: number;
}

function fmtMs(ms: number | null): string {
  return ms === null ? '—' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(2);
}

function cell(ms: number | null, flops?: number): string {
  if (ms === null) return '—';
  return flops ? `${(flops / ms / 1e6).toFixed(3)} GF/s (${fmtMs(ms)} ms)` : `${fmtMs(ms)} ms`;
}

export function printHeader(msg: AdapterReport, builds: string[]): void {
  const { info } = msg;
  console.log(
    `adapter: ${info.vendor} / ${info.architecture} ${info.description} (fallback: ${info.isFallbackAdapter}) features ${JSON.stringify(info.features)}`,
  );
  console.log(`browser: ${msg.userAgent}\n`);
  const cols = ['case'.padEnd(28), 'ours'.padStart(26)];
  for (const b of builds) cols.push(`ORT ${b}`.padStart(26), 'ratio'.padStart(6), 'max|Δ|'.padStart(8));
  console.log(cols.join('  '));
}

export function printRow(r: BenchRow): void {
  const cols = [`${r.group} ${r.shape}`.padEnd(28), cell(r.oursMs, r.flops).padStart(26)];
  for (const p of r.peers) {
    const ratio = r.oursMs && p.ms ? (p.ms / r.oursMs).toFixed(2) : '—';
    const diff = p.maxDiff === undefined ? '' : p.maxDiff.toExponential(1);
    cols.push(cell(p.ms, r.flops).padStart(26), ratio.padStart(6), diff.padStart(8));
  }
  console.log(`${cols.join('  ')}${r.note ? `   ${r.note}` : ''}`);
}

export function printFooter(msg: DoneReport): void {
  const { pool } = msg;
  console.log(
    `\nratio = ORT time / our time (> 1: ours is faster); medians of ${msg.runs} alternating runs after ${msg.warmup} warm-up`,
  );
  console.log(
    'ORT jsep = onnxruntime-web (JS WebGPU EP, as transformers.js uses it); ORT native = onnxruntime-web/webgpu (C++ EP in wasm)',
  );
  console.log(
    'max|Δ| = largest |ours − ORT| over the output for shared random inputs in [-1, 1) (where the case checks it)',
  );
  console.log(
    `our buffer pool: peak live ${(pool.peakLiveBytes / 2 ** 20).toFixed(1)} MiB, peak allocated ${(pool.peakAllocatedBytes / 2 ** 20).toFixed(1)} MiB`,
  );
}
