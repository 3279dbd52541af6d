// End-to-end accessibility pass in headless Chromium: axe-core (injected from node_modules) on every page —
// gallery, an experiment page, a finished run with its chart, the runs page comparing two runs, models, device —
// failing on serious or critical violations (moderate and minor ones are printed); and a keyboard walk per page:
// Tab reaches every visible control in turn, each shows a visible focus indicator, and focus leaves the last
// control (no trap). Also checks <html lang> and one h1 per page with no skipped heading level.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import { check, openBrowser, step, type E2eOptions } from './harness';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const run = (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            o: object,
          ): Promise<{
            violations: {
              id: string;
              impact: string | null;
              help: string;
              nodes: { target: string[]; html: string }[];
            }[];
          }>;
        };
      }
    ).axe.run;
    const r = await run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}  ${n.html.slice(0, 140)}`),
    }));
  });
}

/** Headings in document order: exactly one h1, and no level skipped on the way down. */
async function headingProblems(page: Page): Promise<string[]> {
  const levels = await page.evaluate(() =>
    [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
      .filter((h) => h.getClientRects().length)
      .map((h) => `${h.tagName[1]} ${h.textContent?.trim().slice(0, 50)}`),
  );
  const out: string[] = [];
  if (levels.filter((l) => l.startsWith('1 ')).length !== 1)
    out.push(`expected one h1, found: ${levels.filter((l) => l.startsWith('1 ')).join(' | ') || 'none'}`);
  let prev = 0;
  for (const l of levels) {
    const n = Number(l[0]);
    if (n > prev + 1) out.push(`heading "${l.slice(2)}" is h${n} after h${prev}`);
    prev = n;
  }
  return out;
}

/**
 * Tabs through the page from the top. Every visible tabbable control (one per radio group) must receive focus with
 * a visible indicator, and after the last one focus must leave the page's controls (wrap) rather than cycle.
 */
async function keyboardWalk(page: Page): Promise<{ reached: number; total: number; problems: string[] }> {
  const total = await page.evaluate(() => {
    const sel =
      'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    const groups = new Set<string>();
    let i = 0;
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      delete el.dataset.kb;
      if (!el.getClientRects().length || el.closest('[inert]') || getComputedStyle(el).visibility === 'hidden')
        continue;
      if (el.closest('details:not([open])') && !el.closest('summary')) continue; // folded away: not reachable until opened
      if (el instanceof HTMLInputElement && el.type === 'radio') {
        if (groups.has(el.name)) continue;
        groups.add(el.name);
        document
          .querySelectorAll<HTMLElement>(`input[type="radio"][name="${CSS.escape(el.name)}"]`)
          .forEach((r) => (r.dataset.kb = String(i)));
      } else el.dataset.kb = String(i);
      i++;
    }
    // Start from the top: blur() alone keeps the last focused control as Tab's starting point.
    let start = document.getElementById('kb-start');
    if (!start) {
      start = document.createElement('span');
      start.id = 'kb-start';
      start.tabIndex = -1;
      document.body.prepend(start);
    }
    start.focus();
    return i;
  });
  const seen: number[] = [];
  const problems: string[] = [];
  let lateControls = 0;
  for (let press = 0; press < total + lateControls + 5; press++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body || el.id === 'kb-start') return null;
      const cs = getComputedStyle(el);
      const ring =
        (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
        (cs.boxShadow !== 'none' && cs.boxShadow !== '');
      // A control enabled or added after the count (e.g. Run, once the spec validates) is counted now.
      const sel =
        'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
      const late = el.dataset.kb === undefined && el.matches(sel);
      if (late) el.dataset.kb = String(1000 + document.querySelectorAll('[data-kb]').length);
      return {
        kb: el.dataset.kb ?? null,
        late,
        ring,
        what: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`,
      };
    });
    if (!f) break; // focus left the document's controls: wrapped to the browser
    if (f.kb === null) {
      problems.push(`focus went to an element not counted as a control: ${f.what}`);
      continue;
    }
    const k = Number(f.kb);
    if (seen.includes(k)) break; // wrapped around to the start
    seen.push(k);
    if (f.late) lateControls++;
    if (!f.ring) problems.push(`no visible focus indicator on ${f.what}`);
  }
  // Controls counted but not reached, unless they were disabled or removed since the count.
  const missed = await page.evaluate((got) => {
    const sel =
      'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    return [...document.querySelectorAll<HTMLElement>('[data-kb]')]
      .filter((e) => !got.includes(Number(e.dataset.kb)) && e.matches(sel) && e.getClientRects().length > 0)
      .map((e) => e.outerHTML.slice(0, 120));
  }, seen);
  if (missed.length)
    problems.push(
      `Tab reached ${seen.length} of ${total + lateControls} controls (trap or unreachable control); missed ${missed.length}, e.g. ${missed.slice(0, 5).join(' | ')}`,
    );
  return { reached: seen.length, total: total + lateControls, problems };
}

export async function runE2e({ baseUrl }: E2eOptions): Promise<void> {
  const browser = await openBrowser();
  const { page, errors } = browser;
  const failures: string[] = [];
  async function audit(name: string, ready: () => Promise<unknown>) {
    await step(`accessibility of ${name}`, async () => {
      await ready();
      check((await page.getAttribute('html', 'lang')) === 'en', `${name}: <html> has no lang="en"`);
      const violations = await axe(page);
      for (const v of violations) {
        const line = `${name}: [${v.impact}] ${v.id} — ${v.help}\n      ${v.nodes.join('\n      ')}`;
        if (v.impact === 'serious' || v.impact === 'critical') failures.push(line);
        else console.log(`    note ${line}`);
      }
      for (const h of await headingProblems(page)) failures.push(`${name}: ${h}`);
      const kb = await keyboardWalk(page);
      console.log(`    ${name}: Tab reached ${kb.reached} of ${kb.total} controls`);
      failures.push(...kb.problems.map((p) => `${name}: ${p}`));
    });
  }
  try {
    await audit('the gallery', async () => {
      await page.goto(baseUrl);
      await page
        .getByRole('article')
        .filter({ hasText: 'Engine self-check' })
        .getByText('runs in this build')
        .waitFor({ timeout: 60_000 });
    });
    await audit('an experiment page (engine check)', async () => {
      await page.goto(`${baseUrl}experiment/engine-check`);
      await page.getByRole('heading', { level: 1 }).waitFor();
    });
    await audit('an experiment page (Study A)', async () => {
      await page.goto(`${baseUrl}experiment/emotion-profiles`);
      await page.getByRole('heading', { level: 1 }).waitFor();
    });

    async function runToDone(spec: object): Promise<void> {
      await page.goto(shareLink(spec as Parameters<typeof shareLink>[0], baseUrl));
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 600_000 });
      check(
        !(await page.locator('[data-status="failed"]').count()),
        `the run failed: ${(await page.locator('main').innerText()).slice(0, 800)}`,
      );
    }
    async function chartsLabelled(name: string): Promise<void> {
      const bare = await page.evaluate(() =>
        [...document.querySelectorAll('main svg')]
          .filter((s) => s.getClientRects().length > 0 && s.getBoundingClientRect().width > 40)
          .filter(
            (s) =>
              !(
                (s.getAttribute('role') === 'img' &&
                  (s.getAttribute('aria-label') || s.getAttribute('aria-labelledby'))) ||
                s.getAttribute('aria-hidden') === 'true'
              ),
          )
          .map((s) => s.outerHTML.slice(0, 100)),
      );
      if (bare.length) failures.push(`${name}: charts without role="img" and a label:\n      ${bare.join('\n      ')}`);
    }

    const spec = {
      ...demoSpec('engine-check'),
      shapes: [
        [8, 8, 8],
        [5, 3, 7],
      ] as [number, number, number][],
      repeats: 1,
    };
    for (const title of ['a11y run one', 'a11y run two']) await runToDone({ ...spec, title });
    await audit('a finished engine-check run with its chart', async () => {
      await page.locator('figure svg').first().waitFor();
      await chartsLabelled('the engine-check run');
    });
    await audit('a cancelled run with its error and Resume button', async () => {
      const long = {
        ...spec,
        title: 'a11y cancelled',
        shapes: [
          [512, 512, 512],
          [512, 512, 512],
        ] as [number, number, number][],
        repeats: 20,
      };
      await page.goto(shareLink(long, baseUrl));
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.locator('[data-status="cancelled"]').waitFor({ timeout: 120_000 });
      await page.getByRole('button', { name: 'Resume' }).waitFor();
    });
    const demoA = demoSpec('emotion-profiles');
    await runToDone({ ...demoA, title: 'a11y study A', profile: { ...demoA.profile, topK: 40 } });
    await audit('a finished Study A demo run (heatmaps)', async () => {
      await page.locator('svg[data-heatmap]').first().waitFor();
      await chartsLabelled('the Study A run');
    });
    const demoB = demoSpec('geo-unlearning');
    await runToDone({ ...demoB, title: 'a11y study B', train: { ...demoB.train, steps: 1 } });
    await audit('a finished Study B demo run (rate bars, transfer matrix)', async () => {
      await page.locator('svg[data-rate-bars]').first().waitFor();
      await chartsLabelled('the Study B run');
    });
    await audit('the runs page comparing two runs', async () => {
      await page.goto(`${baseUrl}runs`);
      await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
      await page.getByRole('checkbox', { name: /Compare a11y run one/ }).check();
      await page.getByRole('checkbox', { name: /Compare a11y run two/ }).check();
    });
    await audit('the models page', async () => {
      await page.goto(`${baseUrl}models`);
      await page.locator('table[data-registry]').waitFor();
    });
    await audit('the device page', async () => {
      await page.goto(`${baseUrl}device`);
      await page.getByRole('heading', { level: 1 }).waitFor();
    });
    check(failures.length === 0, `accessibility problems:\n  ${failures.join('\n  ')}`);
    check(errors.length === 0, `console errors:\n${errors.join('\n')}`);
  } finally {
    await browser.close();
  }
}
