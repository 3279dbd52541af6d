#!/usr/bin/env node
// End-to-end test runner: builds the app (`npm run build`, which also generates the demo assets), serves
// build/ on 127.0.0.1 with an SPA fallback, then drives /usr/bin/chromium with playwright-core through
// every tests/e2e/*.e2e.ts suite (dev-server.e2e.ts starts `npm start` itself: the lab as README runs it). Options:
// --no-build (reuse build/), --screenshot (write docs/screenshot.png), --base /sub/path (build and serve under a
// sub-path, as a static host would), --only app,dead-worker (run only these suites, while working on them).
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { register } from 'tsx/esm/api';

const args = process.argv.slice(2);
const basePath = args.includes('--base') ? args[args.indexOf('--base') + 1].replace(/\/$/, '') : '';
const root = resolve('build');
const only = args.includes('--only')
  ? args[args.indexOf('--only') + 1].split(',').map((s) => `${s.replace(/\.e2e\.ts$/, '')}.e2e.ts`)
  : null;

if (!args.includes('--no-build')) {
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', env: { ...process.env, BASE_PATH: basePath } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
  '.safetensors': 'application/octet-stream',
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let path = decodeURIComponent(url.pathname);
  if (basePath && !path.startsWith(basePath)) return void res.writeHead(404).end('outside the base path');
  path = normalize(path.slice(basePath.length) || '/');
  let file = join(root, path);
  if (!file.startsWith(root)) return void res.writeHead(403).end();
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory()) file = join(file, 'index.html');
  else if (!info) file = extname(path) ? '' : join(root, 'index.html'); // SPA fallback for routes, 404 for files
  if (!file || !(await stat(file).catch(() => null))) return void res.writeHead(404).end('not found');
  // Sizes and byte ranges as a static host or the Hub serves them: model checkpoints are read tensor by tensor.
  const size = (await stat(file)).size;
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : size - 1, size - 1);
    if (start > end) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    res.writeHead(206, {
      'content-type': type,
      'content-length': end - start + 1,
      'content-range': `bytes ${start}-${end}/${size}`,
      'accept-ranges': 'bytes',
    });
    if (req.method === 'HEAD') return void res.end();
    return void createReadStream(file, { start, end }).pipe(res);
  }
  res.writeHead(200, { 'content-type': type, 'content-length': size, 'accept-ranges': 'bytes' });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${server.address().port}${basePath}/`;
console.log(`serving build/ at ${baseUrl}`);

register();
let code = 1;
try {
  // Every suite is a tests/e2e/<name>.e2e.ts exporting runE2e(options); app.e2e.ts (the main flow) runs first.
  const suites = (await readdir('tests/e2e'))
    .filter((f) => f.endsWith('.e2e.ts') && (!only || only.includes(f)))
    .sort((a, b) => (a === 'app.e2e.ts' ? -1 : b === 'app.e2e.ts' ? 1 : a.localeCompare(b)));
  const missing = only?.filter((f) => !suites.includes(f)) ?? [];
  if (missing.length) throw new Error(`--only names suites that do not exist: ${missing.join(', ')}`);
  for (const suite of suites) {
    const t0 = Date.now();
    console.log(`e2e suite ${suite}`);
    const { runE2e } = await import(`../tests/e2e/${suite}`);
    await runE2e({ baseUrl, screenshot: args.includes('--screenshot') ? 'docs/screenshot.png' : undefined });
    console.log(`  ${suite}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(`e2e: all steps of ${suites.length} suites passed${only ? ` (only ${only.join(', ')})` : ''}`);
  code = 0;
} catch (e) {
  console.error(`e2e FAILED: ${e instanceof Error ? e.stack : e}`);
} finally {
  server.close();
}
process.exit(code);
