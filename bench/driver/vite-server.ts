// The bench page's server: Vite's dev server on bench/page, with onnxruntime-web's wasm and glue files served at
// /ort/ straight from node_modules (never a CDN).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Plugin, type ViteDevServer } from 'vite';

function ortFiles(ortDist: string): Plugin {
  return {
    name: 'bench-ort-files',
    configureServer(server) {
      server.middlewares.use('/ort/', (req, res, next) => {
        const file = join(ortDist, (req.url ?? '').split('?')[0].replace(/^\/+/, ''));
        if (!file.startsWith(ortDist) || !statSync(file, { throwIfNoEntry: false })?.isFile()) return next();
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.end(readFileSync(file));
      });
    },
  };
}

/** Starts the server on a free port of 127.0.0.1; returns it and the page's URL. */
export async function startBenchServer(repo: string): Promise<{ server: ViteDevServer; url: string }> {
  const page = join(repo, 'bench/page');
  const server = await createServer({
    configFile: false,
    root: page,
    logLevel: 'warn',
    // Its own dependency cache: the app's dev server and vitest pre-bundle other sets into node_modules/.vite.
    cacheDir: join(repo, '.cache/bench-vite'),
    plugins: [ortFiles(join(repo, 'node_modules/onnxruntime-web/dist'))],
    // No HMR and no watcher: other people editing kernels must not reload the page mid-run.
    server: { host: '127.0.0.1', port: 0, fs: { allow: [repo] }, hmr: false, watch: null },
    // Pre-bundle ORT up front so a late dependency discovery cannot reload the page mid-run.
    optimizeDeps: {
      include: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-web/wasm'],
      entries: [join(page, 'main.ts')],
    },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite did not report a URL');
  return { server, url };
}
