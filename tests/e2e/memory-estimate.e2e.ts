// End-to-end: the memory estimate before a Study B run, on the built app. The demo spec shows its estimate by
// part and fits (Run stays enabled); the same spec pointed at Llama-3.2-1B in f32 (≈ 6 GiB at batch 6)
// (batch raised until it exceeds this host's budget) is refused in words, with exactly the text Node computes
// from the same function, and Run is disabled, on the experiment page and on the share page. Nothing is
// downloaded: the demo config is an app file and the 1B shape comes from the model registry.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { findModel } from '../../models/registry';
import { memoryPreview } from '../../workers/experiments/memory-preview';
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import { check, openBrowser, step, type E2eOptions } from './harness';

async function until(cond: () => Promise<boolean>, message: string, timeoutMs = 15_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await cond());) {
    if (Date.now() > end) throw new Error(message);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious or critical axe-core violations inside the memory estimate (the page as a whole is a11y.e2e.ts's). */
async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    type Axe = {
      run(
        ctx: object,
        o: object,
      ): Promise<{ passes: unknown[]; violations: { id: string; impact: string | null; nodes: { html: string }[] }[] }>;
    };
    const r = await (window as unknown as { axe: Axe }).axe.run({ include: [['[data-testid=memory-estimate]']] }, {});
    // No rule passing would mean the region was not found: that is a failure too.
    if (r.passes.length === 0) return ['axe checked nothing: the memory estimate is not on the page'];
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes[0]?.html.slice(0, 120)}`);
  });
}

export async function runE2e({ baseUrl }: E2eOptions): Promise<void> {
  const browser = await openBrowser();
  const { page, errors } = browser;
  const verdict = page.locator('#memory-verdict');
  const demo = demoSpec('geo-unlearning');
  const LLAMA_1B = 'meta-llama/Llama-3.2-1B-Instruct';
  let big = { ...demo, weights: 'f32' as const, model: { id: LLAMA_1B, revision: 'main' } };
  let expected = '';
  try {
    await step('the Study B demo spec shows its memory estimate and fits', async () => {
      await page.goto(`${baseUrl}experiment/geo-unlearning`);
      await verdict.waitFor({ timeout: 15_000 });
      const text = await verdict.innerText();
      check(/^Fits: needs [\d.]+ GiB of the [\d.]+ GiB budget$/.test(text), `demo verdict: ${text}`);
      const parts = await page.locator('[data-testid=memory-estimate] tbody th').allInnerTexts();
      check(
        parts.join('|') === 'weights (f32)|LoRA + optimizer|activations|logits|total|budget',
        `parts: ${parts.join('|')}`,
      );
      const axe = await axeProblems(page);
      check(axe.length === 0, `axe: ${axe.join('; ')}`);
    });

    await step(
      'Llama-3.2-1B in f32 over the budget: the page shows the reason Node computes, Run disabled',
      async () => {
        // The budget follows the host's memory (navigator.deviceMemory / 2): take the first batch over it.
        const gb = await page.evaluate(() => (navigator as { deviceMemory?: number }).deviceMemory);
        const budget = (gb ? gb * 0.5 : 4) * 2 ** 30;
        const config = { ...findModel(LLAMA_1B)!.shape };
        for (const batch of [6, 12, 24]) {
          big = { ...big, train: { ...demo.train, batch } };
          const p = memoryPreview({ spec: big, config, budget })!;
          expected = `Does not fit, Run is disabled: ${p.summary}`;
          if (!p.check.fits) break;
        }
        check(expected.startsWith('Does not fit'), `no batch ≤ 24 exceeds a ${budget / 2 ** 30} GiB budget`);
        await page.getByText('Advanced: the spec as JSON').click();
        await page.locator('#spec-text').fill(JSON.stringify(big, null, 2));
        await until(
          async () => /^Does not fit/.test((await verdict.innerText().catch(() => '')) ?? ''),
          'no refusal for the 1B f32 spec',
        ).catch(async (e: Error) => {
          throw new Error(
            `${e.message}; the estimate says: ${await page
              .locator('[data-testid=memory-estimate]')
              .innerText()
              .catch(() => 'nothing')}`,
          );
        });
        const text = await verdict.innerText();
        check(text === expected && /choose q4 weights/.test(text), `1B verdict: ${text}\nexpected: ${expected}`);
        const run = page.getByRole('button', { name: 'Run', exact: true });
        check(await run.isDisabled(), 'Run is enabled although the run cannot fit');
        check((await run.getAttribute('aria-describedby')) === 'memory-verdict', 'Run does not point at the reason');
        const axe = await axeProblems(page);
        check(axe.length === 0, `axe: ${axe.join('; ')}`);
      },
    );

    await step('the share page of that spec refuses it the same way', async () => {
      await page.goto(shareLink(big as never, baseUrl));
      await until(
        async () => /^Does not fit/.test((await verdict.innerText().catch(() => '')) ?? ''),
        'no refusal on the share page',
      );
      check((await verdict.innerText()) === expected, `share page verdict: ${await verdict.innerText()}`);
      check(await page.getByRole('button', { name: 'Run this experiment' }).isDisabled(), 'share page Run is enabled');
    });

    check(errors.length === 0, `console/HTTP errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
}
