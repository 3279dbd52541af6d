// The lab host (the worker's engine side) with a GPU device lost in the middle of a run, in real Chromium WebGPU:
// the run in flight ends as a resumable DeviceLostError instead of hanging, and the next run acquires a new
// device rather than reusing the dead one. The loss is device.destroy(), a real loss path (the e2e suite
// tests/e2e/device-loss.e2e.ts crashes the whole GPU process instead).
import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../workers/contract/api';
import type { ProgressEvent } from '../../workers/contract/progress';
import { createLabHost } from '../../workers/experiments/lab-host';
import { demoSpec } from '../../workers/contract/specs/index';

function callbacks(onStep?: () => void) {
  const store = new Map<string, Uint8Array>();
  return {
    progress: (ev: ProgressEvent) => {
      if (ev.type === 'step') onStep?.();
    },
    save: async (k: string, b: Uint8Array) => void store.set(k, b),
    load: async (k: string) => store.get(k) ?? null,
  };
}

describe('lab host: a lost device mid-run', () => {
  it('fails the run in flight as resumable, then runs the next one on a new device', async () => {
    const host = createLabHost({ gpu: navigator.gpu });
    expect((await host.device()).webgpu).toBe(true);
    const long = {
      ...demoSpec('engine-check'),
      shapes: Array.from({ length: 8 }, () => [192, 192, 192] as [number, number, number]),
      repeats: 6,
    };
    let lost = false;
    const outcome: RunOutcome = await host.run(
      { runId: 'r-lost', spec: long },
      callbacks(() => {
        if (!lost) {
          lost = true;
          void host.simulateDeviceLoss();
        }
      }),
    );
    expect(lost).toBe(true);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.name).toBe('DeviceLostError');
    expect(outcome.error.message).toMatch(/GPU device lost/);
    expect(outcome.error.resumable).toBe(true);

    const small = { ...demoSpec('engine-check'), shapes: [[16, 8, 12]] as [number, number, number][], repeats: 1 };
    const next = await host.run({ runId: 'r-next', spec: small }, callbacks());
    expect(next.ok, next.ok ? '' : `${next.error.name}: ${next.error.message}`).toBe(true);
    expect((await host.device()).webgpu).toBe(true);
  });
});
