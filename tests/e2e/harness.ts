// Shared pieces of the end-to-end suites (tests/e2e/*.e2e.ts): a fresh Chromium profile driven by playwright-core,
// a console/HTTP error collector, named steps with timings, and a plain assertion.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../vite.config';

export interface E2eOptions {
  baseUrl: string;
  /** Where to save a screenshot of the finished Study A demo run (for the README). */
  screenshot?: string;
}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const out = await fn();
  console.log(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return out;
}

export interface E2eBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and HTTP ≥ 400 responses seen so far, on every page of the context. */
  errors: string[];
  watch(p: Page): void;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile; `args` replace the default flags (e.g. to run without WebGPU). */
export async function openBrowser(opts: { args?: string[] } = {}): Promise<E2eBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'stereoscope-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: opts.args ?? CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    p.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    p.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} for ${r.url()}`));
  };
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  context.on('page', watch);
  return {
    context,
    page,
    errors,
    watch,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
