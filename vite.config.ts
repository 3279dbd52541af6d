import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Flags that make WebGPU work in headless Chromium on SwiftShader without network chatter.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const gpuTests = ['workers/**/*.test.ts'];

/** Folders outside src/ whose files the app imports (SvelteKit adds src/, .svelte-kit and node_modules itself). */
const APP_SOURCES = ['workers', 'models', 'static'];

export default defineConfig({
  plugins: [sveltekit()],
  worker: { format: 'es' },
  // SvelteKit lets the dev server read only src/ and node_modules; the app also imports the engine (workers/, models/)
  // and the translation tables in static/, and without them the lab worker never loads under `npm start`.
  // Browser tests also read the shared fixtures (../shared) through vitest's server commands; the app never does.
  server: { fs: { allow: process.env.VITEST ? ['.', '../shared'] : APP_SOURCES } },
  optimizeDeps: { exclude: ['webgpu', 'onnxruntime-node'], include: ['@huggingface/transformers'] },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'gpu-node',
          include: [...gpuTests, 'tests/models/**/*.test.ts', 'tests/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        // The f16 paths need shader-f16, which SwiftShader lacks: run those kernels again on Mesa 25's lavapipe.
        extends: true,
        test: {
          name: 'gpu-lavapipe',
          // elementwise and embedding too: their sums are pairwise, which holds on lavapipe's reassociating compiler.
          include: [
            'workers/kernels/linear/*.test.ts',
            'workers/kernels/elementwise/elementwise.test.ts',
            'workers/kernels/embedding/embedding.test.ts',
            'workers/kernels/**/*-f16.test.ts',
            'tests/lavapipe/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          env: { VK_ICD_FILENAMES: resolve('.cache/lavapipe/lvp_icd.json') },
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu-chromium',
          include: [...gpuTests, 'tests/browser/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
