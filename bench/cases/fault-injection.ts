// TEST ONLY: cases that break on purpose, one per way a bench run can fail, so tests/node/bench.test.ts can check
// that each one ends `npm run bench` at once with a non-zero exit and a message naming the case and the error.
// They are not in benchCases() (index.ts): the page runs one, and nothing else, only when the driver passes
// `fault=<kind>` in the page URL, which it does only when the environment variable STEREOSCOPE_BENCH_FAULT names a
// kind (run.ts then prints a banner saying so). No engine code here: the Node driver imports the kind list.
import type { BenchCase } from '../lib/types';

/** Faults the page produces, and 'node-step-fails', which the driver produces by giving the Node Study B step of
 *  --quick an invalid option. */
export const FAULT_KINDS = [
  'case-throws',
  'unhandled-rejection',
  'page-error',
  'missing-export',
  'worker-error',
  'hang',
  'renderer-crash',
  'browser-exit',
  'node-step-fails',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What the page asks the driver to do to it (a page cannot crash its own renderer or kill its browser). */
export type FaultAction = 'crash-renderer' | 'kill-browser';

/** The time limit of the 'hang' case; every other fault case keeps the driver's default limit, so a run that only
 *  ended at the watchdog would be slow and would print the watchdog's message instead of the fault's. */
export const HANG_LIMIT_MS = 5_000;

export function isFaultKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}

const never = () => new Promise<never>(() => {});

async function askDriver(action: FaultAction): Promise<never> {
  await window.benchReport?.({ type: 'fault', action });
  return never();
}

const faults: Record<Exclude<FaultKind, 'node-step-fails'>, () => Promise<void>> = {
  'case-throws': async () => {
    throw new Error('fault injection: run() threw');
  },
  'unhandled-rejection': async () => {
    void Promise.reject(new Error('fault injection: a promise nobody awaits rejected'));
    await never();
  },
  'page-error': async () => {
    setTimeout(() => {
      throw new Error('fault injection: uncaught error in a timer');
    });
    await never();
  },
  'missing-export': async () => {
    // A module script importing a name its module does not export fails to link, with no stack: how the page
    // broke when a refactor moved disposeModelWeights out of lib/synthetic-checkpoint.ts.
    const script = document.createElement('script');
    script.type = 'module';
    script.textContent = `import { noSuchExport } from '${new URL('../lib/measure.ts', import.meta.url).href}'; noSuchExport();`;
    document.head.append(script);
    await never();
  },
  'worker-error': async () => {
    const source = new Blob(["throw new Error('fault injection: uncaught error in a worker');"], {
      type: 'text/javascript',
    });
    new Worker(URL.createObjectURL(source));
    await never();
  },
  hang: async () => {
    // Blocks the page's only thread: it stops answering the driver altogether.
    for (;;);
  },
  'renderer-crash': () => askDriver('crash-renderer'),
  'browser-exit': () => askDriver('kill-browser'),
};

/** The page's cases for a fault kind: one case whose run() produces the fault (none for the driver's own kind). */
export function faultCases(kind: FaultKind): BenchCase[] {
  if (kind === 'node-step-fails') return [];
  return [
    {
      group: 'fault-injection',
      shape: kind,
      runs: 1,
      warmup: 0,
      timeLimitMs: kind === 'hang' ? HANG_LIMIT_MS : undefined,
      async ours() {
        return { run: faults[kind], dispose() {} };
      },
    },
  ];
}
