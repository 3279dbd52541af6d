// The static build as the README deploys it (`BASE_PATH=/my/sub/path npm run build`, copied to a static host with an
// SPA fallback): npm test runs this suite a second time on a build made with a BASE_PATH and served only under that
// path (scripts/e2e.mjs --base). Every file the app loads comes from under the base path, the lab's engine answers,
// a deep link survives a reload, and a share link runs the engine check to completion.
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import { check, openBrowser, step, type E2eOptions } from './harness';

export async function runE2e({ baseUrl }: E2eOptions): Promise<void> {
  const browser = await openBrowser();
  const { page, errors } = browser;
  const base = new URL(baseUrl);
  const outside: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin === base.origin && !u.pathname.startsWith(base.pathname)) outside.push(u.pathname);
  });
  try {
    await step(`open the gallery at ${base.pathname} and see the engine answer`, async () => {
      await page.goto(baseUrl);
      await page.getByRole('heading', { name: /Reproduce studies/ }).waitFor();
      await page
        .getByRole('article')
        .filter({ hasText: 'Engine self-check' })
        .getByText('runs in this build')
        .waitFor({ timeout: 120_000 });
    });

    await step('reload a deep link (the SPA fallback) and land on the same page', async () => {
      await page.goto(new URL('runs', baseUrl).href);
      await page.getByRole('heading', { name: 'Runs' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Runs' }).waitFor();
    });

    await step('run the engine check from a share link of this deployment', async () => {
      const spec = {
        ...demoSpec('engine-check'),
        title: 'deployed engine check',
        shapes: [[16, 16, 16]] as [number, number, number][],
        repeats: 1,
      };
      await page.goto(shareLink(spec, baseUrl));
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      check(new URL(page.url()).pathname.startsWith(base.pathname), `the run page left the base path: ${page.url()}`);
      await page.locator('[data-status="done"]').waitFor({ timeout: 180_000 });
    });

    check(
      outside.length === 0,
      `requests outside the base path ${base.pathname}:\n${[...new Set(outside)].join('\n')}`,
    );
    check(errors.length === 0, `console or HTTP errors:\n${errors.join('\n')}`);
  } finally {
    await browser.close();
  }
}
