// The CpuBackend's contract (workers/backend/backend.ts): uploads and downloads copy, reshape views share storage
// and free it once, outputs alias inputs where the op says so, f16 is refused, quantised weights keep their packed
// words, an op without a CPU kernel (OpDef.cpu) fails naming it, and nothing falls back to the float64 references.
import { describe, expect, it } from 'vitest';
import { CpuBackend, CpuOpMissingError } from '../../../workers/backend/cpu-backend';
import { attentionBackwardOp } from '../../../workers/kernels/attention/attention';
import { addScaledOp, scaleOp } from '../../../workers/kernels/elementwise/elementwise';
import { layerNormBackwardOp } from '../../../workers/kernels/layernorm/layernorm';
import { quantize } from '../../../workers/kernels/quantize/quantize';
import { adamwOp } from '../../../workers/kernels/adamw/adamw';
import { cpuRefusal } from '../../../workers/experiments/lab-host';
import { CATALOG, catalogEntry } from '../../../workers/contract/specs/catalog';
import { demoSpec } from '../../../workers/contract/specs/index';

describe('CpuBackend', () => {
  it('copies on upload and on download', async () => {
    const be = new CpuBackend();
    const src = Float32Array.from([1, 2, 3]);
    const t = be.upload(src, [3]);
    src[0] = 99;
    const d = await be.download(t);
    expect([...d]).toEqual([1, 2, 3]);
    d[1] = 42;
    expect([...(await be.download(t))]).toEqual([1, 2, 3]);
    expect(() => be.upload([1, 2], [3])).toThrow(/2 values for shape \[3\]/);
  });

  it('reshape is a view over the same storage; disposing view or base frees it exactly once', async () => {
    const be = new CpuBackend();
    const t = be.upload([1, 2, 3, 4, 5, 6], [2, 3]);
    const v = be.reshape(t, [3, 2]);
    expect(v.shape).toEqual([3, 2]);
    await be.run(addScaledOp, [t, be.upload([1, 1, 1, 1, 1, 1], [2, 3])], { alpha: 1 });
    expect([...(await be.download(v))]).toEqual([2, 3, 4, 5, 6, 7]);
    expect(be.memory().liveBytes).toBe(48);
    v.dispose();
    expect(t.isDisposed).toBe(true);
    t.dispose();
    expect(be.memory()).toEqual({ liveBytes: 24, peakBytes: 48 });
    await expect(be.run(scaleOp, [t], { s: 1 })).rejects.toThrow(/disposed/);
    expect(() => be.reshape(be.zeros([4]), [3])).toThrow(/4 elements/);
  });

  it('offers no f16 and keeps q8/q4 weights packed', async () => {
    const be = new CpuBackend();
    expect(be.features.f16).toBe(false);
    expect(() => be.upload([1, 2], [2], 'f16')).toThrow(/does not store f16/);
    const words = quantize(
      Float32Array.from({ length: 64 }, (_, i) => i / 64 - 0.5),
      [2, 32],
      'q4',
    );
    const w = be.upload(words, [2, 32], 'q4');
    expect(w.data).toBeInstanceOf(Uint32Array);
    expect(w.data.length).toBe(words.length);
    expect([...(await be.download(w))]).toEqual([...words]);
  });

  it('an op without a CPU kernel fails naming it, before any output is allocated', async () => {
    const be = new CpuBackend();
    const x = be.upload([1, 2, 3, 4], [1, 4]);
    const before = be.memory().liveBytes;
    for (const op of [layerNormBackwardOp, attentionBackwardOp, adamwOp]) {
      const err = await be.run(op as never, [x, x, x, x, x], {} as never).catch((e) => e);
      expect(err).toBeInstanceOf(CpuOpMissingError);
      expect((err as Error).message).toContain(`"${op.name}"`);
    }
    expect(be.memory().liveBytes).toBe(before);
    // An op with a float64 reference and a WebGPU kernel but no CPU kernel: no silent fallback to the reference.
    const gpuOnlyScale = { ...scaleOp, cpu: undefined };
    await expect(be.run(gpuOnlyScale, [x], { s: 2 })).rejects.toThrow(
      /no implementation of the op "scale".*training needs WebGPU/,
    );
  });

  it('rejects tensors of another backend', async () => {
    const be = new CpuBackend();
    const foreign = { shape: [1], dtype: 'f32' as const, dispose() {} };
    await expect(be.run(scaleOp, [foreign], { s: 1 })).rejects.toThrow(/another backend/);
  });

  it('the catalog asks for WebGPU only for kinds whose every run trains; the engine check runs on the CPU', () => {
    expect(catalogEntry('engine-check').needsWebGpu).toBe(false);
    expect(cpuRefusal(demoSpec('engine-check'))).toBeNull();
    // Study A may run without fine-tuning (inference only); Study B always unlearns.
    expect(catalogEntry('emotion-profiles').needsWebGpu).toBe(false);
    expect(catalogEntry('geo-unlearning').needsWebGpu).toBe(true);
    expect(cpuRefusal(demoSpec('geo-unlearning'))).toMatch(/^Training needs WebGPU/);
    expect(
      CATALOG.filter((c) => c.needsWebGpu)
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['bias-mitigation', 'geo-unlearning', 'polyglot-tuning']);
  });
});
