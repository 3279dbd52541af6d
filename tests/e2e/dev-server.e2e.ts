// Smoke test of the lab as README's "Run the lab" starts it: `npm start` (the demo assets, then Vite's dev server),
// not the build the other suites test. The gallery shows Studies A and B runnable, the Device page shows the
// adapter, and the Study A demo runs to completion — with no HTTP error on the way (the dev server once refused to
// serve workers/, and the lab's worker never started). Ignores the build's base URL: it starts its own server.
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import { check, openBrowser, startDevServer, step } from './harness';

export async function runE2e(): Promise<void> {
  const server = await step('npm start: demo assets, dev server, printed URL', () => startDevServer());
  console.log(`    ${server.url}`);
  const browser = await openBrowser();
  const { page, errors } = browser;
  try {
    await step(
      'the gallery shows Studies A and B runnable (the dev server compiles the worker on first use)',
      async () => {
        await page.goto(server.url);
        await page.getByRole('heading', { name: /Reproduce studies/ }).waitFor({ timeout: 120_000 });
        const failed = page.locator('[data-testid="engine-status"][data-state="failed"]');
        for (const title of ['Emotion profiles of social groups', 'Unlearning geo-cultural stereotypes']) {
          const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: title }) });
          check((await card.count()) === 1, `no gallery card "${title}"`);
          // Either the card says it runs, or the engine notice says why nothing can: stop waiting at once then.
          await card.getByText('runs in this build').or(failed).first().waitFor({ timeout: 180_000 });
          check(
            (await failed.count()) === 0,
            `the lab says its engine failed: ${await failed
              .first()
              .innerText()
              .catch(() => '')}`,
          );
        }
        check(
          (await page.getByTestId('engine-status').count()) === 0,
          `an engine notice stays: ${await page
            .getByTestId('engine-status')
            .first()
            .innerText()
            .catch(() => '')}`,
        );
      },
    );

    await step('the Device page shows the WebGPU adapter', async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Device' }).click();
      await page.getByRole('heading', { name: 'Device' }).waitFor();
      const vendor = page.locator('dt', { hasText: 'Vendor' }).locator('xpath=following-sibling::dd[1]');
      await vendor.waitFor({ timeout: 60_000 });
      const architecture = await page
        .locator('dt', { hasText: 'Architecture' })
        .locator('xpath=following-sibling::dd[1]')
        .innerText();
      check((await page.getByRole('heading', { name: 'Limits' }).count()) === 1, 'the Device page shows no limits');
      console.log(`    adapter: ${await vendor.innerText()} ${architecture}`);
    });

    await step('the Study A demo runs to completion and draws its heatmaps', async () => {
      const demo = demoSpec('emotion-profiles');
      await page.goto(
        shareLink({ ...demo, title: 'dev-server study A', profile: { ...demo.profile, topK: 40 } }, server.url),
      );
      await page.getByRole('heading', { name: 'Shared experiment' }).waitFor();
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 300_000 });
      if (await page.locator('[data-status="failed"]').count())
        throw new Error(
          `the Study A demo failed on the dev server: ${(await page.locator('main').innerText()).slice(0, 1500)}`,
        );
      const heatmaps = page.locator('svg[data-heatmap]');
      await heatmaps.first().waitFor();
      const cells = await heatmaps.first().locator('rect.cell').count();
      check(cells === 4 * 10, `expected 4 groups × 10 emotions in the profile heatmap, found ${cells} cells`);
    });

    check(errors.length === 0, `errors on the dev server:\n${errors.join('\n')}`);
  } catch (e) {
    console.error(`npm start printed:\n${server.output().slice(-4000)}`);
    throw e;
  } finally {
    await browser.close();
    await server.close();
  }
}
