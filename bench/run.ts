// `npm run bench`: serves bench/page with Vite's dev server, drives /usr/bin/chromium (playwright-core, a fresh
// profile, the project's WebGPU flags) to run our kernels and onnxruntime-web on the same adapter, and prints
// a table. `--quick` runs every case at small shapes once, then the Node Study B step at a tiny shape: a check
// that every part of the bench still runs (`npm test` runs it), not a measurement. Any failure ends the run at once
// with exit code 1 and a message naming the case (driver/page-run.ts). Options: see USAGE.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_KINDS, isFaultKind, type FaultKind } from './cases/fault-injection';
import { BenchFailure } from './driver/failure';
import { runNodeStep } from './driver/node-step';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `usage: npm run bench -- [options]
  --quick          every case at small shapes, 1 timed run, no warm-up, then the Node Study B step at a tiny
                   shape (bench/node/study-b-step.mjs --quick): checks that everything runs; times mean nothing
  --runs N         timed runs per side (default 5; model cases set fewer)
  --warmup N       warm-up runs per side (default 1; model cases set their own)
  --filter TEXT    only the cases whose "group shape" contains TEXT
  --ort LIST       onnxruntime-web builds to race: jsep,native (default both)
  --case-limit S   seconds a case may take before the run is ended as hung (default 3600; --quick 240)
env: CHROMIUM_PATH overrides /usr/bin/chromium`;

/** Test only (tests/node/bench.test.ts): makes the page run one case that fails on purpose, nothing else. */
const FAULT_ENV = 'STEREOSCOPE_BENCH_FAULT';
const STARTUP_LIMIT_MS = 180_000;
const NODE_STEP_LIMIT_MS = 240_000;

interface Options {
  quick: boolean;
  runs: number;
  warmup: number;
  filter: string;
  builds: string[];
  caseLimitMs: number;
}

function parseOptions(argv: string[]): Options {
  const values = new Map<string, string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (['--runs', '--warmup', '--filter', '--ort', '--case-limit'].includes(a) && i + 1 < argv.length)
      values.set(a.slice(2), argv[++i]);
    else throw new Error(`unknown or incomplete option "${a}"`);
  }
  const count = (name: string, fallback: number, min: number) => {
    const v = Number(values.get(name) ?? fallback);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
    return v;
  };
  const builds = (values.get('ort') ?? 'jsep,native').split(',');
  if (builds.some((b) => b !== 'jsep' && b !== 'native')) throw new Error('--ort takes jsep, native or jsep,native');
  return {
    quick,
    runs: count('runs', 5, 1),
    warmup: count('warmup', 1, 0),
    filter: values.get('filter') ?? '',
    builds,
    caseLimitMs: 1000 * count('case-limit', quick ? 240 : 3600, 1),
  };
}

function faultFromEnv(): FaultKind | null {
  const kind = process.env[FAULT_ENV];
  if (!kind) return null;
  if (!isFaultKind(kind)) throw new Error(`${FAULT_ENV}="${kind}" is not a fault kind (${FAULT_KINDS.join(', ')})`);
  console.error(
    `FAULT INJECTION (test only): ${FAULT_ENV}=${kind}: this run only breaks on purpose, it measures nothing. Unset it for a real bench run.\n`,
  );
  return kind;
}

async function benchPage(o: Options, fault: FaultKind | null): Promise<void> {
  // Loaded here, not at the top: they take seconds to import, and a bad option should be reported at once.
  const [{ CHROMIUM_ARGS }, { runPage }, { startBenchServer }] = await Promise.all([
    import('../vite.config'),
    import('./driver/page-run'),
    import('./driver/vite-server'),
  ]);
  const { server, url } = await startBenchServer(repo);
  const query = new URLSearchParams({
    scale: o.quick ? 'quick' : 'full',
    runs: String(o.runs),
    warmup: String(o.warmup),
    filter: o.filter,
    ort: o.builds.join(','),
  });
  if (fault) query.set('fault', fault);
  try {
    await runPage({
      url: `${url}?${query}`,
      chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      chromiumArgs: CHROMIUM_ARGS,
      builds: o.builds,
      startupLimitMs: STARTUP_LIMIT_MS,
      caseLimitMs: o.caseLimitMs,
    });
  } finally {
    await Promise.race([server.close(), new Promise((r) => setTimeout(r, 10_000))]);
  }
}

async function main(): Promise<number> {
  const t0 = performance.now();
  let options: Options;
  let fault: FaultKind | null;
  try {
    options = parseOptions(process.argv.slice(2));
    fault = faultFromEnv();
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const seconds = () => ((performance.now() - t0) / 1000).toFixed(0);
  try {
    if (fault !== 'node-step-fails') await benchPage(options, fault);
    // The fault makes the Node step's options invalid, so its real failure path ends the run.
    if (options.quick)
      await runNodeStep(
        repo,
        fault === 'node-step-fails' ? ['--quick', '--format', 'not-a-format'] : ['--quick'],
        NODE_STEP_LIMIT_MS,
      );
  } catch (e) {
    const message = e instanceof BenchFailure ? e.message : String((e as Error)?.stack ?? e);
    console.error(`\nbench FAILED after ${seconds()} s — ${message}`);
    return 1;
  }
  console.log(`\nbench${options.quick ? ' --quick' : ''}: finished in ${seconds()} s`);
  return 0;
}

// Exit explicitly: a browser or server that did not shut down cleanly must not keep the process alive.
main().then((code) => process.exit(code));
