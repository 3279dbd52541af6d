// End-to-end test of the CPU fallback (issue 4): headless Chromium with WebGPU switched off, checked to be really
// absent (no navigator.gpu, or no adapter). The app says it runs on the CPU fallback, the device page explains
// what that means, the Study A demo profiles (no fine-tuning) run to completion on the CPU backend and draw their
// heatmaps, and the Study A demo with LoRA fine-tuning is refused with "Training needs WebGPU". Matrix products
// run on onnxruntime-web's wasm engine, whose .wasm comes from the app's own origin: the device page says so, the
// engine check (Run enabled without WebGPU) passes with a shape above the ORT thresholds, and no request of the
// whole session leaves the app's origin.
import { CHROMIUM_ARGS } from '../../vite.config';
import { demoSpec } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import { check, openBrowser, step, type E2eOptions } from './harness';

const NO_WEBGPU_ARGS = [
  ...CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'),
  '--disable-features=WebGPU,Vulkan',
  '--disable-gpu',
];

export async function runE2e({ baseUrl }: E2eOptions): Promise<void> {
  const browser = await openBrowser({ args: NO_WEBGPU_ARGS });
  const { page, errors, context } = browser;
  const origin = new URL(baseUrl).origin;
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  try {
    await step('no WebGPU in this browser: no navigator.gpu or no adapter, on the page and in a worker', async () => {
      await page.goto(baseUrl);
      const probe = `(async () => { const g = self.navigator.gpu; if (!g) return 'no navigator.gpu'; const a = await g.requestAdapter().catch(() => null); return a ? 'adapter' : 'no adapter'; })()`;
      const onPage = await page.evaluate(probe);
      const inWorker = await page.evaluate(
        (code) =>
          new Promise<string>((resolve) => {
            const w = new Worker(
              URL.createObjectURL(new Blob([`${code}.then((r) => postMessage(r))`], { type: 'text/javascript' })),
            );
            w.onmessage = (e) => resolve(e.data);
          }),
        probe,
      );
      check(
        onPage !== 'adapter' && inWorker !== 'adapter',
        `WebGPU is still available (page: ${onPage}, worker: ${inWorker})`,
      );
      console.log(`    page: ${onPage}; worker: ${inWorker}`);
    });

    await step('the app says plainly that it runs on the CPU fallback', async () => {
      await page.goto(baseUrl);
      const banner = page.getByTestId('device-banner');
      await banner.getByText('the lab runs on the CPU fallback').waitFor({ timeout: 30_000 });
      check(
        /Training, fine-tuning and unlearning need WebGPU/.test(await banner.innerText()),
        'the banner does not say that training needs WebGPU',
      );
      await page.getByRole('navigation').getByRole('link', { name: 'Device' }).click();
      const panel = page.getByTestId('cpu-fallback');
      await panel.waitFor();
      check(/Inference only/.test(await panel.innerText()), 'the device page does not explain the CPU fallback');
      await panel
        .getByText(/Matrix products run on onnxruntime-web [\d.]+ \(WebAssembly, \d+ threads?\)/)
        .waitFor({ timeout: 60_000 });
      const wasm = requests.filter((u) => /ort-wasm-simd-threaded[\w-]*\.wasm$/.test(u));
      check(
        wasm.length > 0 && wasm.every((u) => u.startsWith(`${origin}/`)),
        `onnxruntime-web's wasm was not loaded from the app (${wasm.join(', ') || 'no request'})`,
      );
      console.log(`    ${wasm.map((u) => u.slice(origin.length)).join(', ')}`);
    });

    await step(
      'the engine check runs on the CPU (Run is enabled without WebGPU), a big shape through ORT',
      async () => {
        await page.goto(`${baseUrl}experiment/engine-check`);
        const run = page.getByRole('button', { name: 'Run', exact: true });
        await run.waitFor();
        await page
          .getByTestId('device-banner')
          .getByText('the lab runs on the CPU fallback')
          .waitFor({ timeout: 30_000 });
        check(await run.isEnabled(), "the engine check's Run button is disabled without WebGPU");
        check(
          (await page.getByText('This experiment needs WebGPU').count()) === 0,
          'the engine check page says it needs WebGPU',
        );
        const spec = {
          ...demoSpec('engine-check'),
          title: 'e2e engine check on CPU',
          shapes: [
            [96, 80, 64],
            [5, 7, 9],
          ] as [number, number, number][],
          repeats: 1,
        };
        await page.goto(shareLink(spec, baseUrl));
        await page.getByRole('heading', { name: 'Shared experiment' }).waitFor();
        await page.getByRole('button', { name: 'Run this experiment' }).click();
        await page.waitForURL(/\/runs\/[\w-]+$/);
        await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 120_000 });
        if (await page.locator('[data-status="failed"]').count())
          throw new Error(
            `the engine check failed on the CPU: ${(await page.locator('main').innerText()).slice(0, 1000)}`,
          );
        await page.getByText('all 2 shapes match the float64 reference').waitFor();
      },
    );

    const demo = demoSpec('emotion-profiles');
    await step('run the Study A demo profiles (no fine-tuning) on the CPU and see the heatmaps', async () => {
      const { fineTune: _, ...rest } = demo;
      const spec = { ...rest, title: 'e2e study A on CPU', profile: { ...demo.profile, topK: 40 } };
      await page.goto(shareLink(spec, baseUrl));
      await page.getByRole('heading', { name: 'Shared experiment' }).waitFor();
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 300_000 });
      if (await page.locator('[data-status="failed"]').count())
        throw new Error(`the Study A CPU run failed: ${(await page.locator('main').innerText()).slice(0, 1500)}`);
      const heatmaps = page.locator('svg[data-heatmap]');
      await heatmaps.first().waitFor();
      check((await heatmaps.count()) >= 2, 'expected the profile heatmap and the RSA matrix');
      const cells = await heatmaps.first().locator('rect.cell').count();
      check(cells === 4 * 10, `expected 4 groups × 10 emotions in the profile heatmap, found ${cells} cells`);
    });

    await step('the Study A demo with LoRA fine-tuning is refused: training needs WebGPU', async () => {
      // The fine-tuning step of examples/demo/emotion-profiles.json, on the app's demo text.
      const fineTune = {
        text: { from: 'demo', name: 'study-a-finetune.txt' },
        language: 'fr',
        lora: { rank: 4, alpha: 8, dropout: 0 },
        lr: 0.005,
        batch: 4,
        epochs: 1,
        maskProb: 0.15,
        priors: 'base',
      } as const;
      await page.goto(shareLink({ ...demo, title: 'e2e study A fine-tune on CPU', fineTune }, baseUrl));
      await page.getByRole('heading', { name: 'Shared experiment' }).waitFor();
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 120_000 });
      check((await page.locator('[data-status="failed"]').count()) === 1, 'the fine-tuning run was not refused');
      await page.getByRole('alert').getByText('Training needs WebGPU').first().waitFor();
    });

    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
    check(foreign.length === 0, `requests left the app's origin ${origin}:\n${foreign.join('\n')}`);
    check(errors.length === 0, `console errors:\n${errors.join('\n')}`);
  } finally {
    await browser.close();
  }
}
