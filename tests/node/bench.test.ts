// The bench as `npm test` runs it, so a broken case fails CI instead of rotting: `npm run bench -- --quick` must run
// every case family (small shapes, one timed run) and the Node Study B step, and exit 0; and every way a run can
// break must end it at once with exit code 1 and a message naming the case and the error. The failures come from
// the test-only fault-injection cases (bench/cases/fault-injection.ts), which the bench runs only when
// STEREOSCOPE_BENCH_FAULT names one. The bench's whole output is printed (quick run) or put in the failing
// assertion's message, so CI logs show the table or the error. One file: the runs go one after another, never two
// browsers at once on the 2-core machine.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface BenchResult {
  code: number | null;
  /** stdout alone (the table), and stdout and stderr merged as they came. */
  stdout: string;
  output: string;
  /** Wall time from spawning npm to its exit. */
  seconds: number;
}

/** `npm run bench -- …args` in its own process group (killed as a whole at `limitMs`), stdout and stderr merged. */
function runBench(args: string[], env: Record<string, string>, limitMs: number): Promise<BenchResult> {
  // The bench is run as a user runs it, not as a vitest worker: none of vitest's variables.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'STEREOSCOPE_BENCH_FAULT',
    ),
  );
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'bench', '--', ...args], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => ((stdout += d), (output += d)));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[test] killed npm run bench after ${limitMs / 1000} s\n`;
      process.kill(-child.pid!, 'SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, output, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

/** The bench's own figure: seconds from its start to the failure ("bench FAILED after N s — …"). */
function failedAfter(output: string): number {
  const m = /bench FAILED after (\d+) s — /.exec(output);
  if (!m) throw new Error(`no "bench FAILED after" line in:\n${output}`);
  return Number(m[1]);
}

// Every case family of bench/cases/index.ts, by the group names its rows print: with ORT peers, and ours only.
const PEERED = [
  'matmul f32',
  'linear f32',
  'linear q8',
  'linear q4',
  'linear dx f32',
  'linear dx q4',
  'layernorm',
  'softmax',
  'encoder fwd',
  'encoder fwd CPU backend',
];
const OURS_ONLY = [
  'encoder LoRA step',
  'llama decode',
  '1B layer LoRA step',
  'study-a profile choenni',
  'study-a profile prior-corrected',
];

/** The table's rows by group: a row is "group shape", then cells two or more spaces apart (ours, then per ORT
 *  build its time, ratio and max|Δ|, then the note). The longest group that starts the line names it. */
function tableRows(output: string): Map<string, string[]> {
  const groups = [...PEERED, ...OURS_ONLY].sort((a, b) => b.length - a.length);
  const rows = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    const group = groups.find((g) => line.startsWith(`${g} `));
    if (group && !rows.has(group)) rows.set(group, line.split(/ {2,}/).slice(1));
  }
  return rows;
}

const TIME = /^(?:\d+\.\d{3} GF\/s \()?\d+(?:\.\d+)? ms\)?$/;
const RATIO = /^\d+\.\d{2}$/;

describe('npm run bench -- --quick', () => {
  it('runs every case family and the Node Study B step, and exits 0', async () => {
    const r = await runBench(['--quick'], {}, 540_000);
    console.log(`npm run bench -- --quick: exit ${r.code} after ${r.seconds.toFixed(0)} s\n${r.output}`);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/^adapter: \S+/m);
    const rows = tableRows(r.stdout);
    for (const group of PEERED) {
      const cells = rows.get(group);
      expect(cells, `a row for ${group}`).toBeDefined();
      // ours, ORT jsep and its ratio, …, ORT native and its ratio (a max|Δ| cell may come between them).
      expect(cells![0], `${group}: ours`).toMatch(TIME);
      expect(cells![1], `${group}: ORT jsep`).toMatch(TIME);
      expect(cells![2], `${group}: jsep ratio`).toMatch(RATIO);
      const native = cells!.findIndex((c, i) => i > 2 && TIME.test(c));
      expect(native, `${group}: ORT native`).toBeGreaterThan(2);
      expect(cells![native + 1], `${group}: native ratio`).toMatch(RATIO);
    }
    for (const group of OURS_ONLY) {
      const cells = rows.get(group);
      expect(cells, `a row for ${group}`).toBeDefined();
      expect(cells!.slice(0, 5), `${group}: ours, no ORT`).toEqual([expect.stringMatching(TIME), '—', '—', '—', '—']);
    }
    expect(r.output).toMatch(/^study-b step \(node, Dawn\): node bench\/node\/study-b-step\.mjs --quick$/m);
    expect(r.output).toMatch(/^ {2}STEP TIME \d+\.\d s/m);
    expect(r.output).toMatch(/^bench --quick: finished in \d+ s$/m);
    expect(r.output).not.toMatch(/fault-injection|FAULT INJECTION/);
  }, 600_000);

  it('refuses an unknown option or fault kind instead of running something else', async () => {
    const typo = await runBench(['--quik'], {}, 120_000);
    expect(typo.code, typo.output).toBe(2);
    expect(typo.output).toContain('bench: unknown or incomplete option "--quik"');
    const fault = await runBench(['--quick'], { STEREOSCOPE_BENCH_FAULT: 'no-such-fault' }, 120_000);
    expect(fault.code, fault.output).toBe(2);
    expect(fault.output).toContain('STEREOSCOPE_BENCH_FAULT="no-such-fault" is not a fault kind (case-throws, ');
  }, 300_000);
});

describe('a broken bench run ends at once with exit code 1 and the error', () => {
  // Each fault case keeps the quick per-case limit of 240 s (but 'hang', whose limit is 5 s), so a failure that only
  // ended at the watchdog would take longer than 120 s and print the watchdog's message, not the fault's.
  const faults: [kind: string, message: RegExp][] = [
    ['case-throws', /case "fault-injection case-throws": Error: fault injection: run\(\) threw/],
    [
      'unhandled-rejection',
      /case "fault-injection unhandled-rejection": uncaught error in the page or a worker: Error: fault injection: a promise nobody awaits rejected/,
    ],
    [
      'page-error',
      /case "fault-injection page-error": uncaught error in the page or a worker: Error: fault injection: uncaught error in a timer/,
    ],
    [
      'missing-export',
      /case "fault-injection missing-export": uncaught error in the page or a worker: SyntaxError: The requested module '[^']*\/bench\/lib\/measure\.ts' does not provide an export named 'noSuchExport'/,
    ],
    [
      'worker-error',
      /case "fault-injection worker-error": uncaught error in the page or a worker: Error: fault injection: uncaught error in a worker/,
    ],
    [
      'hang',
      /case "fault-injection hang": did not finish within 5 s \(the page stopped answering, or the case hangs\)/,
    ],
    ['renderer-crash', /case "fault-injection renderer-crash": the page crashed \(its renderer process died\)/],
    ['browser-exit', /case "fault-injection browser-exit": the browser closed \(it crashed or was killed\)/],
    [
      'node-step-fails',
      /study-b step \(node, Dawn\): exited with code 1; its last lines:\n.*--format must be f32, q8 or q4/,
    ],
  ];
  it.each(faults)(
    '%s',
    async (kind, message) => {
      const r = await runBench(['--quick'], { STEREOSCOPE_BENCH_FAULT: kind }, 200_000);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toContain(`FAULT INJECTION (test only): STEREOSCOPE_BENCH_FAULT=${kind}`);
      expect(r.output).toMatch(message);
      expect(failedAfter(r.output), r.output).toBeLessThan(120);
    },
    240_000,
  );
});
