// `npm run bench`: serves bench/page with Vite's dev server, drives /usr/bin/chromium (playwright-core, a fresh
// profile, the project's WebGPU flags) to run our kernels and onnxruntime-web on the same adapter, and prints
// a table. Options: --runs N (timed runs per side, default 5), --warmup N (default 1), --filter TEXT,
// --ort jsep,native (which onnxruntime-web builds to race, default both).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer, type Plugin } from 'vite';
import { CHROMIUM_ARGS } from '../vite.config';
import type { BenchRow } from './lib/types';
import type { PoolStats } from '../workers/gpu/buffer-pool';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const ortDist = join(repo, 'node_modules/onnxruntime-web/dist');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Serves onnxruntime-web's wasm and glue files at /ort/ straight from node_modules (never a CDN). */
function ortFiles(): Plugin {
  return {
    name: 'bench-ort-files',
    configureServer(server) {
      server.middlewares.use('/ort/', (req, res, next) => {
        const file = join(ortDist, (req.url ?? '').split('?')[0].replace(/^\/+/, ''));
        if (!file.startsWith(ortDist) || !statSync(file, { throwIfNoEntry: false })?.isFile()) return next();
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.end(readFileSync(file));
      });
    },
  };
}

function fmtMs(ms: number | null): string {
  return ms === null ? '—' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(2);
}

function cell(ms: number | null, flops?: number): string {
  if (ms === null) return '—';
  return flops ? `${(flops / ms / 1e6).toFixed(3)} GF/s (${fmtMs(ms)} ms)` : `${fmtMs(ms)} ms`;
}

function printRow(r: BenchRow): void {
  const cols = [`${r.group} ${r.shape}`.padEnd(28), cell(r.oursMs, r.flops).padStart(26)];
  for (const p of r.peers) {
    const ratio = r.oursMs && p.ms ? (p.ms / r.oursMs).toFixed(2) : '—';
    const diff = p.maxDiff === undefined ? '' : p.maxDiff.toExponential(1);
    cols.push(cell(p.ms, r.flops).padStart(26), ratio.padStart(6), diff.padStart(8));
  }
  console.log(`${cols.join('  ')}${r.note ? `   ${r.note}` : ''}`);
}

function printHeader(builds: string[]): void {
  const cols = ['case'.padEnd(28), 'ours'.padStart(26)];
  for (const b of builds) cols.push(`ORT ${b}`.padStart(26), 'ratio'.padStart(6), 'max|Δ|'.padStart(8));
  console.log(cols.join('  '));
}

async function main(): Promise<void> {
  const builds = arg('ort', 'jsep,native');
  const query = new URLSearchParams({ runs: arg('runs', '5'), warmup: arg('warmup', '1'), filter: arg('filter', ''), ort: builds });
  const server = await createServer({
    configFile: false,
    root: join(here, 'page'),
    logLevel: 'warn',
    plugins: [ortFiles()],
    // No HMR and no watcher: other people editing kernels must not reload the page mid-run.
    server: { host: '127.0.0.1', port: 0, fs: { allow: [repo] }, hmr: false, watch: null },
    // Pre-bundle ORT up front so a late dependency discovery cannot reload the page mid-run.
    optimizeDeps: { include: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-web/wasm'], entries: [join(here, 'page/main.ts')] },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite did not report a URL');
  const profile = mkdtempSync(join(tmpdir(), 'stereoscope-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`[page] ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && console.error(`[page] ${r.status()} ${r.url()}`));
    page.on('request', (r) => r.url().includes('/ort/') && console.error(`[ort file] ${r.url()}`));
    const done = new Promise<void>((resolveDone, reject) => {
      void page.exposeFunction('benchReport', (msg: { type: string; [k: string]: unknown }) => {
        if (msg.type === 'adapter') {
          const info = msg.info as { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean; features: object };
          console.log(`adapter: ${info.vendor} / ${info.architecture} ${info.description} (fallback: ${info.isFallbackAdapter}) features ${JSON.stringify(info.features)}`);
          console.log(`browser: ${msg.userAgent}\n`);
          printHeader(builds.split(','));
        } else if (msg.type === 'row') printRow(msg.row as BenchRow);
        else if (msg.type === 'done') {
          const pool = msg.pool as PoolStats;
          console.log(`\nratio = ORT time / our time (> 1: ours is faster); medians of ${msg.runs} alternating runs after ${msg.warmup} warm-up`);
          console.log('ORT jsep = onnxruntime-web (JS WebGPU EP, as transformers.js uses it); ORT native = onnxruntime-web/webgpu (C++ EP in wasm)');
          console.log('max|Δ| = largest |ours − ORT| over the output for shared random inputs in [-1, 1) (where the case checks it)');
          console.log(`our buffer pool: peak live ${(pool.peakLiveBytes / 2 ** 20).toFixed(1)} MiB, peak allocated ${(pool.peakAllocatedBytes / 2 ** 20).toFixed(1)} MiB`);
          resolveDone();
        } else if (msg.type === 'error') reject(new Error(String(msg.message)));
      });
    });
    await page.goto(`${url}?${query}`);
    await done;
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
