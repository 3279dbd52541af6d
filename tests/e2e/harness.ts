// Shared pieces of the end-to-end suites (tests/e2e/*.e2e.ts): a fresh Chromium profile driven by playwright-core,
// a console/HTTP error collector, named steps with timings, a plain assertion, and `npm start` as a user runs it.
import { spawn } from 'node:child_process';
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

export interface DevServer {
  /** The URL `npm start` printed (Vite's "Local:" line). */
  url: string;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output(): string;
  close(): Promise<void>;
}

/**
 * Runs `npm start` in the repository as a user does (its predev step, then `vite dev`) in a process group of its
 * own, and resolves with the URL it prints. close() ends the whole group (npm, sh, vite).
 */
export async function startDevServer({ timeoutMs = 180_000 } = {}): Promise<DevServer> {
  // A user's shell has no VITEST: with it, vite.config.ts would open the whole repository to the dev server.
  const { VITEST: _, VITEST_MODE: __, ...env } = process.env;
  const child = spawn('npm', ['start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, NO_COLOR: '1' },
  });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM');
    const killed = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!killed) process.kill(-child.pid!, 'SIGKILL');
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no URL within ${timeoutMs / 1000} s:\n${log}`)),
      timeoutMs,
    );
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      // Vite's banner: "➜  Local:   http://localhost:5173/" (colour codes stripped in case NO_COLOR is ignored).
      const m = /Local:\s+(https?:\/\/\S+)/.exec(log.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (code ${code}) before printing a URL:\n${log}`));
    });
  }).catch(async (e) => {
    await close();
    throw e;
  });
  return { url, output: () => log, close };
}
