// Runs the bench page in Chromium (playwright-core, a fresh profile) and watches it until it reports `done`. Every
// way the page can break ends the run at once with a BenchFailure naming the case: an error the page reports for a
// case, an uncaught error or unhandled rejection in the page or one of its workers (playwright's `pageerror`
// covers both), a renderer crash, the browser going away, a failed request to the bench's own server, and a
// watchdog for a page or case that stops answering (each case has a time limit; the page announces every case).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import type { FaultAction } from '../cases/fault-injection';
import type { BenchRow } from '../lib/types';
import { performFaultAction } from './fault-actions';
import { BenchFailure } from './failure';
import { printFooter, printHeader, printRow, type AdapterReport, type DoneReport } from './table';

export interface PageRunOptions {
  /** The page's URL, query included. */
  url: string;
  chromiumPath: string;
  chromiumArgs: string[];
  /** ORT builds raced (the table's peer columns). */
  builds: string[];
  /** From navigation until the page reports its adapter, and between two cases. */
  startupLimitMs: number;
  /** Per case, unless the case sets its own. */
  caseLimitMs: number;
}

type PageMessage =
  | ({ type: 'adapter'; cases: number } & AdapterReport)
  | { type: 'case'; name: string; index: number; timeLimitMs?: number }
  | { type: 'row'; row: BenchRow }
  | ({ type: 'done' } & DoneReport)
  | { type: 'error'; case?: string; message: string }
  | { type: 'fault'; action: FaultAction };

/** Name, message and stack of an error from the page (a module that fails to link has no stack). */
function describeError(e: Error): string {
  const head = `${e.name}: ${e.message}`;
  if (!e.stack) return head;
  return e.stack.startsWith(head) ? e.stack : `${head}\n${e.stack}`;
}

async function settleWithin(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p?.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Runs every case the URL selects and prints the table; resolves when the page is done, rejects with a
 *  BenchFailure as soon as anything breaks. The browser is closed either way. */
export async function runPage(o: PageRunOptions): Promise<void> {
  const origin = new URL(o.url).origin;
  const profile = mkdtempSync(join(tmpdir(), 'stereoscope-bench-'));
  let context: BrowserContext | undefined;
  let where = 'startup (loading the page, acquiring the adapter)';
  let over = false;
  let watchdog: NodeJS.Timeout | undefined;
  let expected = 0;
  let rows = 0;
  let succeed!: () => void;
  let reject!: (e: Error) => void;
  const outcome = new Promise<void>((res, rej) => ((succeed = res), (reject = rej)));
  // A failure can come before `await outcome` is reached (while the browser starts): not an unhandled rejection.
  outcome.catch(() => {});
  const fail = (what: string) => {
    if (over) return;
    over = true;
    clearTimeout(watchdog);
    reject(new BenchFailure(`${where}: ${what}`));
  };
  const arm = (ms: number) => {
    clearTimeout(watchdog);
    watchdog = setTimeout(
      () => fail(`did not finish within ${ms / 1000} s (the page stopped answering, or the case hangs)`),
      ms,
    );
  };

  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: o.chromiumPath,
      headless: true,
      args: o.chromiumArgs,
    });
    context.on('close', () => fail('the browser closed (it crashed or was killed)'));
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => fail(`uncaught error in the page or a worker: ${describeError(e)}`));
    page.on('crash', () => fail('the page crashed (its renderer process died)'));
    page.on('console', (m) => m.type() === 'error' && console.error(`[page] ${m.text()}`));
    page.on('request', (r) => r.url().includes('/ort/') && console.error(`[ort file] ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() < 400 || !r.url().startsWith(origin)) return;
      // Vite answers a module it cannot transform with an error status and the reason in the body.
      void r.text().then(
        (body) => fail(`the bench server answered ${r.status()} for ${r.url()}: ${body.slice(0, 2000)}`),
        () => fail(`the bench server answered ${r.status()} for ${r.url()}`),
      );
    });
    await page.exposeFunction('benchReport', async (msg: PageMessage) => {
      if (over) return;
      if (msg.type === 'adapter') {
        expected = msg.cases;
        if (expected === 0) return fail('no case matches the filter');
        printHeader(msg, o.builds);
        where = 'before the first case';
        arm(o.startupLimitMs);
      } else if (msg.type === 'case') {
        where = `case "${msg.name}"`;
        arm(msg.timeLimitMs ?? o.caseLimitMs);
      } else if (msg.type === 'row') {
        printRow(msg.row);
        rows++;
        where = `after case "${msg.row.group} ${msg.row.shape}"`;
        arm(o.startupLimitMs);
      } else if (msg.type === 'done') {
        if (rows !== expected) return fail(`the page reported done after ${rows} of ${expected} cases`);
        printFooter(msg);
        over = true;
        clearTimeout(watchdog);
        succeed();
      } else if (msg.type === 'error') {
        if (msg.case) where = `case "${msg.case}"`;
        fail(msg.message);
      } else if (msg.type === 'fault') {
        await performFaultAction(msg.action, page).catch((e: Error) => fail(e.message));
      }
    });
    arm(o.startupLimitMs);
    page.goto(o.url).catch((e: Error) => fail(`could not load the page: ${e.message}`));
    await outcome;
  } catch (e) {
    if (e instanceof BenchFailure) throw e;
    throw new BenchFailure(`${where}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    over = true;
    clearTimeout(watchdog);
    // A wedged browser must not hold the run: close it if it answers, else the driver's exit ends it.
    await settleWithin(context?.close(), 15_000);
    await removeProfile(profile);
  }
}

/** A killed browser's helper processes go on writing to the profile for a few seconds; if it still cannot be
 *  removed after that, leaving it in /tmp beats hiding the run's real failure behind this one. */
async function removeProfile(profile: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      rmSync(profile, { recursive: true, force: true });
      return;
    } catch (e) {
      if (attempt === 20)
        return void console.error(`bench: could not remove the browser profile ${profile}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
