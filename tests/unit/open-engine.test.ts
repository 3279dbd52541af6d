// The one place that opens an engine for a host (workers/engine/open-engine.ts), on its paths that need no GPU:
// the CPU backend chosen, a host without WebGPU under auto and under webgpu, and a GPU object that fails to load
// (Node's Dawn without its driver). Each CPU engine carries the device report the UI and the CLI print, with the
// reason in words and what runs the matrix products. The WebGPU path is exercised by the CLI and lab tests in
// the gpu projects (tests/node/cli-*.test.ts).
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../workers/backend/cpu-backend';
import { CPU_FALLBACK_NOTE, cpuEngineNote, openEngine } from '../../workers/engine/open-engine';
import { NoWebGpuError } from '../../workers/gpu/device';

describe('openEngine', () => {
  it('--backend cpu: the CPU backend with ORT for its products, and the report says so', async () => {
    const engine = await openEngine({
      gpu: () => {
        throw new Error('Dawn must not be touched');
      },
      choice: 'cpu',
    });
    expect(engine.kind).toBe('cpu');
    expect(engine.backend).toBeInstanceOf(CpuBackend);
    const note = await cpuEngineNote();
    expect(note).toMatch(/^Matrix products run on onnxruntime-web /);
    expect(engine.report).toEqual({
      webgpu: false,
      backend: 'cpu',
      reason: 'the CPU backend was chosen',
      note: `${CPU_FALLBACK_NOTE} ${note}`,
      cpuEngine: note,
    });
  });

  it('auto without navigator.gpu falls back to the CPU with the reason; webgpu refuses', async () => {
    const engine = await openEngine({ gpu: undefined });
    expect(engine.kind).toBe('cpu');
    expect(engine.report.reason).toBe('this browser has no WebGPU (navigator.gpu is missing)');
    expect(engine.report.note).toMatch(
      /^Inference runs on the CPU \(slower\); training and fine-tuning need WebGPU\. Matrix products run on/,
    );
    await expect(openEngine({ gpu: undefined, choice: 'webgpu' })).rejects.toThrow(NoWebGpuError);
  });

  it('a GPU object that fails to load: auto says "WebGPU failed" and runs on the CPU; webgpu rethrows', async () => {
    const broken = () => {
      throw new Error('no Vulkan driver');
    };
    const engine = await openEngine({ gpu: broken, choice: 'auto' });
    expect(engine.kind).toBe('cpu');
    expect(engine.kind === 'cpu' && engine.reason).toBe('WebGPU failed: no Vulkan driver');
    await expect(openEngine({ gpu: broken, choice: 'webgpu' })).rejects.toThrow('no Vulkan driver');
  });
});
