// End-to-end: a GPU device lost in the middle of a training run, in headless Chromium. Starts the Study B demo
// (tiny random Llama, LoRA unlearning with a checkpoint every 2 steps), opens the same run in a second tab (which
// must leave it running: the first tab holds its Web Lock), then crashes Chromium's GPU process for real through
// the DevTools protocol (Browser.crashGpuProcess — what chrome://gpucrash does; that URL cannot be opened by
// automation). The run must end as failed with the device-loss message and a Resume button, the page must stay
// usable, and Resume must acquire a new device and finish the run from its last checkpoint.
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import { check, openBrowser, step, type E2eOptions } from './harness';
import type { Page } from 'playwright-core';

const STEPS = 8; // the runner saves every ceil(8 / 5) = 2 steps

/** Progress of the visible run: phase label and step (from run-progress.svelte's data attributes). */
async function progressOf(page: Page): Promise<{ phase: string; step: number } | null> {
  const el = page.locator('.progress[data-phase]').first();
  if (!(await el.count())) return null;
  return { phase: (await el.getAttribute('data-phase')) ?? '', step: Number(await el.getAttribute('data-step')) };
}

/** The steps of the stored `loss` series of a run, read from the app's IndexedDB in the page. */
function lossSteps(page: Page, runId: string): Promise<number[]> {
  return page.evaluate(
    (id) =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('stereoscope');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('metrics').objectStore('metrics').get([id, 'loss']);
          get.onsuccess = () => {
            db.close();
            resolve(((get.result?.points ?? []) as [number, number][]).map((p) => p[0]));
          };
          get.onerror = () => reject(get.error);
        };
      }),
    runId,
  );
}

export async function runE2e({ baseUrl }: E2eOptions): Promise<void> {
  const browser = await openBrowser();
  const { page, errors, context } = browser;
  try {
    await step('open the app with WebGPU ready', async () => {
      await page.goto(baseUrl);
      await page
        .getByRole('article')
        .filter({ hasText: 'Engine self-check' })
        .getByText('runs in this build')
        .waitFor({ timeout: 60_000 });
    });

    const demo = demoSpec('geo-unlearning');
    const spec = { ...demo, title: 'e2e device loss', train: { ...demo.train, steps: STEPS } };
    const runId = await step(`start the Study B demo with ${STEPS} unlearning steps`, async () => {
      await page.goto(shareLink(spec, baseUrl));
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="running"]').waitFor();
      return page.url().split('/').pop()!;
    });

    await step('a second tab opened on the run leaves it running (the first tab holds its lock)', async () => {
      const other = await context.newPage();
      await other.goto(page.url());
      await other.locator('[data-status]').waitFor();
      await other.waitForTimeout(1500);
      const status = await other.locator('[data-run-id]').getAttribute('data-status');
      check(status === 'running', `the second tab marked the running run as ${status}`);
      await other.close();
    });

    const lostAt = await step('train past the checkpoint at step 4', async () => {
      await page.waitForFunction(
        () => {
          const el = document.querySelector('.progress[data-phase]');
          return (
            !!el &&
            (el.getAttribute('data-phase') ?? '').startsWith('unlearning') &&
            Number(el.getAttribute('data-step')) >= 5
          );
        },
        null,
        { timeout: 600_000, polling: 100 },
      );
      return (await progressOf(page))!.step;
    });

    await step(
      `crash the GPU process at step ${lostAt}: the run fails with the device-loss message and offers Resume`,
      async () => {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Browser.crashGpuProcess');
        await page.locator('[data-status="failed"]').waitFor({ timeout: 60_000 });
        const alert = page.locator('[data-run-id] [role="alert"]');
        const text = await alert.innerText();
        check(
          /DeviceLostError/.test(text) && /GPU device lost/.test(text),
          `expected the device-loss error, got: ${text}`,
        );
        check(/The GPU was reset or taken away/.test(text), 'the device-loss explanation is missing');
        await alert.getByRole('button', { name: 'Resume' }).waitFor();
        // Not a frozen tab: navigation still works and the run is listed as failed.
        await page.getByRole('navigation').getByRole('link', { name: 'Runs' }).click();
        await page.getByRole('link', { name: 'e2e device loss' }).click();
        await page.locator('[data-status="failed"]').waitFor();
      },
    );

    await step('Resume: a new device, the run continues from its checkpoint and finishes', async () => {
      const before = await lossSteps(page, runId);
      check(before.length >= 4, `expected at least 4 stored loss points before the loss, found ${before.length}`);
      await page.getByRole('button', { name: 'Resume' }).click();
      // failed → running → done: first leave "failed", or the wait below would return at once.
      await page.waitForFunction(
        () => document.querySelector('[data-run-id]')?.getAttribute('data-status') !== 'failed',
        null,
        { timeout: 60_000 },
      );
      await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 600_000 });
      if (await page.locator('[data-status="failed"]').count())
        throw new Error(`the resumed run failed: ${(await page.locator('main').innerText()).slice(0, 1500)}`);
      await page.locator('svg[data-rate-bars]').first().waitFor();
      const steps = await lossSteps(page, runId);
      // Steps 1–4 were done once (restored from the checkpoint, not retrained); steps after it ran to the end.
      for (let s = 1; s <= 4; s++)
        check(
          steps.filter((x) => x === s).length === 1,
          `step ${s} was trained again after the resume: ${steps.join(',')}`,
        );
      for (let s = 5; s <= STEPS; s++)
        check(steps.includes(s), `the resumed run skipped step ${s}: ${steps.join(',')}`);
      console.log(`    loss steps stored (before the loss, then after the resume): ${steps.join(',')}`);
    });

    // The loss is handled, not thrown: not even the crash may leave a console error.
    check(errors.length === 0, `console errors:\n${errors.join('\n')}`);
  } finally {
    await browser.close();
  }
}
