// TEST ONLY: what the driver does when a fault-injection case (cases/fault-injection.ts, selected by
// STEREOSCOPE_BENCH_FAULT) asks it to break the browser, which a page cannot do to itself.
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { FaultAction } from '../cases/fault-injection';

/** Processes whose parent is this one and whose command is `name` (playwright starts the browser itself). */
function childProcesses(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after "(comm)": state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export async function performFaultAction(action: FaultAction, page: Page): Promise<void> {
  if (action === 'crash-renderer') {
    // Chromium kills the renderer that navigates here; the navigation itself then fails, which is expected.
    await page.goto('chrome://crash').catch(() => {});
    return;
  }
  const browsers = childProcesses('chromium');
  if (browsers.length === 0) throw new Error('fault injection: found no chromium process started by this driver');
  for (const pid of browsers) process.kill(pid, 'SIGKILL');
}
