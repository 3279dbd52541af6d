// End-to-end test of the built app in headless Chromium (playwright-core, the system browser, a fresh profile):
// open the app, refuse a broken share link, open a real one, confirm, run the engine check to completion, see
// its chart, reload, find the run in history, export it (download); then run the Study A and Study B demos on the
// generated tiny XLM-R and Llama and see their charts — failing on any console error.
import { readFile } from 'node:fs/promises';
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import { check, openBrowser, step, type E2eOptions } from './harness';

export async function runE2e({ baseUrl, screenshot }: E2eOptions): Promise<void> {
  const browser = await openBrowser();
  const { page, errors } = browser;
  try {
    await step('open the app and see the gallery', async () => {
      await page.goto(baseUrl);
      await page.getByRole('heading', { name: /Reproduce studies/ }).waitFor();
      check((await page.getByRole('article').count()) === 6, 'expected 6 experiment cards');
      await page
        .getByRole('article')
        .filter({ hasText: 'Engine self-check' })
        .getByText('runs in this build')
        .waitFor({ timeout: 30_000 });
    });

    await step('refuse a damaged share link', async () => {
      await page.goto(`${baseUrl}#/x/engine-check/AAAAAAAA`);
      await page.getByText('This link cannot be opened').waitFor();
    });

    const spec = {
      ...demoSpec('engine-check'),
      title: 'e2e engine check',
      shapes: [
        [32, 32, 32],
        [17, 9, 23],
        [1, 40, 8],
      ] as [number, number, number][],
      repeats: 2,
    };
    const runUrl = await step('open a share link, see spec and hosts, confirm, run to completion', async () => {
      await page.goto(shareLink(spec, baseUrl));
      await page.getByRole('heading', { name: 'Shared experiment' }).waitFor();
      await page.getByText('Nothing: this experiment downloads no files').waitFor();
      check((await page.locator('[data-run-id]').count()) === 0, 'a run started before the click');
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="done"]').waitFor({ timeout: 180_000 });
      return page.url();
    });
    const runId = runUrl.split('/').pop()!;

    await step('see the chart and the result table', async () => {
      await page.getByText('all 3 shapes match the float64 reference').waitFor();
      const bars = await page.locator('figure svg[role="img"] rect').count();
      check(bars === 3, `expected 3 bars in the chart, found ${bars}`);
      check((await page.locator('table tbody tr').count()) === 3, 'expected 3 result rows');
    });

    await step('reload and find the run in history', async () => {
      await page.reload();
      await page.locator('[data-status="done"]').waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Runs' }).click();
      await page.getByRole('heading', { name: 'Runs' }).waitFor();
      await page.getByRole('link', { name: 'e2e engine check' }).waitFor();
      check((await page.getByText(runId).count()) === 1, `run ${runId} is not in the history`);
      await page.getByRole('link', { name: 'e2e engine check' }).click();
      await page.locator('[data-status="done"]').waitFor();
    });

    await step('export the run as a JSON bundle', async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export run (JSON)' }).click(),
      ]);
      const path = await download.path();
      const bundle = JSON.parse(await readFile(path, 'utf8'));
      check(
        bundle.format === 'stereoscope-run' && bundle.run.id === runId && bundle.run.status === 'done',
        'the exported bundle is not this finished run',
      );
      check(bundle.run.result.cases.length === 3, 'the bundle lacks the results');
    });

    await step('run the Study A demo (tiny random XLM-R) to completion and see its heatmaps', async () => {
      const demo = demoSpec('emotion-profiles');
      const studyA = { ...demo, title: 'e2e study A', profile: { ...demo.profile, topK: 40 } };
      await page.goto(shareLink(studyA, baseUrl));
      await page.getByRole('heading', { name: 'Shared experiment' }).waitFor();
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 300_000 });
      const failed = page.locator('[data-status="failed"]');
      if (await failed.count())
        throw new Error(`the Study A demo run failed: ${(await page.locator('main').innerText()).slice(0, 1500)}`);
      await page.getByText('DEMO run').first().waitFor();
      const heatmaps = page.locator('svg[data-heatmap]');
      check((await heatmaps.count()) >= 2, 'expected the profile heatmap and the RSA matrix');
      const cells = await heatmaps.first().locator('rect.cell').count();
      check(cells === 4 * 10, `expected 4 groups × 10 emotions in the profile heatmap, found ${cells} cells`);
      check((await heatmaps.nth(1).locator('rect.cell').count()) === 4, 'expected a 2 × 2 language RSA matrix');
      if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    });

    await step('run the Study B demo (tiny random Llama): baseline, 2 unlearning steps, re-evaluation', async () => {
      const demo = demoSpec('geo-unlearning');
      const studyB = { ...demo, title: 'e2e study B', train: { ...demo.train, steps: 2 } };
      await page.goto(shareLink(studyB, baseUrl));
      await page.getByRole('heading', { name: 'Shared experiment' }).waitFor();
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 600_000 });
      const failed = page.locator('[data-status="failed"]');
      if (await failed.count())
        throw new Error(`the Study B demo run failed: ${(await page.locator('main').innerText()).slice(0, 1500)}`);
      const bars = page.locator('svg[data-rate-bars]');
      await bars.first().waitFor();
      check((await bars.first().locator('rect').count()) > 0, 'the Study B rate bars are empty');
      check((await page.locator('svg[data-heatmap]').count()) >= 1, 'expected the Study B transfer matrix');
    });

    check(errors.length === 0, `console errors:\n${errors.join('\n')}`);
  } finally {
    await browser.close();
  }
}
