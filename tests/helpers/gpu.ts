// One WebGPU backend per test file, in whichever host the test runs: Node (Dawn + SwiftShader/lavapipe) or
// headless Chromium (navigator.gpu). A missing adapter fails the test: GPU tests never skip.
import { WebGpuBackend } from '../../workers/backend/webgpu-backend';
import { acquireGpu, type Gpu } from '../../workers/gpu/device';

let backend: Promise<WebGpuBackend> | null = null;

export async function hostGpu(): Promise<GPU> {
  if (typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu) return navigator.gpu;
  // The Node host module imports the native Dawn addon: keep it out of browser bundles.
  const path = '../../workers/gpu/node-gpu';
  const mod = (await import(/* @vite-ignore */ path)) as typeof import('../../workers/gpu/node-gpu');
  return mod.getNodeGpu();
}

export async function testGpu(disable?: { f16?: boolean }): Promise<Gpu> {
  return acquireGpu({ gpu: await hostGpu(), disable });
}

export function testBackend(): Promise<WebGpuBackend> {
  backend ??= testGpu().then((g) => new WebGpuBackend(g));
  return backend;
}

export const inBrowser = typeof window !== 'undefined';
