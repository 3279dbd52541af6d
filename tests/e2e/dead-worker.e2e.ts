// End-to-end: the lab's worker does not come up, and the app says so instead of waiting forever. Playwright answers
// the worker's script in place of the server: with 404, with 500, with a host's HTML fallback page, and with a
// script that loads but never answers. Each time a notice on every page visited (gallery, Device, an experiment)
// names the worker's file and what went wrong (the HTTP status, the content type, the silence), within seconds; the
// gallery cards and the Run button blame the engine, never a missing runner; the Device page does not claim to be
// asking for a GPU.
import type { BrowserContext, Page, Route } from 'playwright-core';
import { check, openBrowser, step, type E2eOptions } from './harness';

const WORKER_SCRIPT = /\/lab\.worker[^/]*$/;
/** The app's own patience (ENGINE_ANSWER_MS, 8 s) plus room for a loaded machine; failures to load come sooner. */
const NOTICE_WITHIN_MS = 20_000;

interface Case {
  name: string;
  answer: (route: Route) => Promise<void>;
  /** What the notice must say besides the file's path. */
  says: RegExp;
  state: 'failed' | 'silent';
}

const CASES: Case[] = [
  {
    name: '404',
    answer: (r) => r.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }),
    says: /did not load: HTTP 404 Not Found/,
    state: 'failed',
  },
  {
    name: '500',
    answer: (r) => r.fulfill({ status: 500, contentType: 'text/plain', body: 'boom' }),
    says: /did not load: HTTP 500 Internal Server Error/,
    state: 'failed',
  },
  {
    name: 'an HTML fallback page (200)',
    answer: (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title>' }),
    says: /did not load: the server answered HTTP 200 with text\/html, not a JavaScript module/,
    state: 'failed',
  },
  {
    name: 'a script that never answers',
    answer: (r) => r.fulfill({ status: 200, contentType: 'text/javascript', body: '// loads, listens to nothing\n' }),
    says: /has not answered for \d+ s/,
    state: 'silent',
  },
];

/** Answers the worker's script as `c` says and records the URL the app asked for. */
async function breakWorker(context: BrowserContext, c: Case): Promise<{ path: () => string }> {
  let requested = '';
  await context.unrouteAll();
  await context.route(WORKER_SCRIPT, (route) => {
    requested ||= new URL(route.request().url()).pathname;
    return c.answer(route);
  });
  return { path: () => requested };
}

async function seeNotice(page: Page, c: Case, path: () => string, where: string): Promise<void> {
  const t0 = Date.now();
  const notice = page.getByTestId('engine-status');
  await notice.waitFor({ timeout: NOTICE_WITHIN_MS }).catch(() => {
    throw new Error(`${where}: no engine notice within ${NOTICE_WITHIN_MS / 1000} s (${c.name})`);
  });
  const text = await notice.innerText();
  check(path() !== '', `${where}: the app never asked for the worker's script`);
  check(text.includes(path()), `${where}: the notice does not name the worker's file ${path()}: ${text}`);
  check(c.says.test(text), `${where}: the notice does not say ${c.says}: ${text}`);
  check(
    (await notice.getAttribute('data-state')) === c.state,
    `${where}: the notice is in state ${await notice.getAttribute('data-state')}, expected ${c.state}`,
  );
  console.log(`    ${where}: "${text.split('\n')[0].slice(0, 160)}" after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export async function runE2e({ baseUrl }: E2eOptions): Promise<void> {
  const browser = await openBrowser();
  const { page, context } = browser;
  try {
    for (const c of CASES) {
      await step(`the worker's script is answered with ${c.name}: every page says so`, async () => {
        const worker = await breakWorker(context, c);
        await page.goto(baseUrl);
        await seeNotice(page, c, worker.path, 'gallery');
        const cards = page.getByRole('article');
        check((await cards.count()) === 6, 'expected 6 experiment cards');
        check(
          (await page.getByText('runner not available yet').count()) === 0,
          'a gallery card blames a missing runner',
        );
        check((await page.getByText('runs in this build').count()) === 0, 'a gallery card says it runs');
        const blamed =
          c.state === 'failed' ? "cannot run: the lab's engine did not load" : "waiting for the lab's engine…";
        check((await cards.filter({ hasText: blamed }).count()) === 6, `not every card says "${blamed}"`);

        await page.getByRole('navigation').getByRole('link', { name: 'Device' }).click();
        await page.getByRole('heading', { name: 'Device' }).waitFor();
        await seeNotice(page, c, worker.path, 'Device page');
        check(
          (await page.getByText('Asking the browser for a GPU').count()) === 0,
          'the Device page still says it is asking for a GPU',
        );

        await page.goto(`${baseUrl}experiment/emotion-profiles`);
        await seeNotice(page, c, worker.path, 'Study A page');
        const run = page.getByRole('button', { name: 'Run', exact: true });
        check(await run.isDisabled(), 'Run is enabled with no engine');
        const why = await page.getByTestId('run-availability').innerText();
        check(!/cannot run .* yet|no runner/i.test(why), `the Study A page blames a missing runner: ${why}`);
        check(
          c.state === 'failed' ? /engine did not load/.test(why) : /waits for the lab's engine/.test(why),
          `the Study A page does not say the engine is why Run is off: ${why}`,
        );
      });
    }

    await step('the same browser with the worker served again: the engine starts, the notice is gone', async () => {
      await context.unrouteAll();
      await page.goto(baseUrl);
      await page
        .getByRole('article')
        .filter({ hasText: 'Emotion profiles of social groups' })
        .getByText('runs in this build')
        .waitFor({ timeout: 60_000 });
      check(
        (await page.getByTestId('engine-status').count()) === 0,
        'the engine notice stays although the engine answered',
      );
    });
  } finally {
    await browser.close();
  }
}
