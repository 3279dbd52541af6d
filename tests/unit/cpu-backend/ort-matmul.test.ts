// The ORT engine of the CPU backend (workers/kernels/ort-matmul): onnxruntime-web's wasm engine starts in Node
// from the package's own files; the engine the hosts open (workers/engine/open-engine.ts) takes big products and
// leaves small ones and few-row (decode) products to the JS kernels; a vocabulary-shaped weight crosses row
// blocks; and when ORT cannot start, the products still come out right on the JS kernels and the host's note says
// so (never silent).
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../../workers/backend/backend';
import { CpuBackend } from '../../../workers/backend/cpu-backend';
import { cpuEngineNote, cpuMatmulEngine } from '../../../workers/engine/open-engine';
import { linearOp } from '../../../workers/kernels/linear/linear';
import { matmulOp } from '../../../workers/kernels/matmul/matmul';
import { ORT_MIN_ROWS, ortGemmEngine } from '../../../workers/kernels/ort-matmul/ort-matmul';
import { OrtGemm } from '../../../workers/kernels/ort-matmul/ort-session';
import { quantize } from '../../../workers/kernels/quantize/quantize';
import { expectClose } from '../../helpers/compare';
import { f32, randn } from '../../helpers/random';

// As ORT_DOT in cpu-ops.test.ts (float32 sums inside MLAS), K ≤ 64.
const TOL = { atol: 3e-5, rtol: 3e-6 };

async function linearVsRef(be: CpuBackend, M: number, N: number, K: number, dtype: 'f32' | 'q8' | 'q4', label: string) {
  const w = randn(N * K, N + K, 0.5);
  const inputs: HostTensor[] = [
    { shape: [M, K], dtype: 'f32', data: f32(randn(M * K, M)) },
    dtype === 'f32'
      ? { shape: [N, K], dtype, data: f32(w) }
      : { shape: [N, K], dtype, data: quantize(w, [N, K], dtype) },
    { shape: [N], dtype: 'f32', data: f32(randn(N, 7)) },
  ];
  const want = linearOp.ref(inputs, {})[0].data;
  const ts = inputs.map((h) => be.upload(h.data, h.shape, h.dtype));
  const [y] = await be.run(linearOp, ts, {});
  expectClose(await be.download(y), want, TOL, label);
  [y, ...ts].forEach((t) => t.dispose());
}

describe('onnxruntime-web as the CPU backend’s matmul engine', () => {
  it('starts in Node from the package’s own wasm, one thread', async () => {
    const s = await cpuMatmulEngine.start();
    expect(s).toMatchObject({ state: 'ready', threads: 1 });
    expect(await cpuEngineNote()).toMatch(
      /^Matrix products run on onnxruntime-web 1\.\d+\.\d+ \(WebAssembly, 1 thread\)\.$/,
    );
  });

  it('the hosts’ engine takes big products and leaves tiny and few-row ones to JS', async () => {
    const be = new CpuBackend({ gemm: cpuMatmulEngine });
    let runs = cpuMatmulEngine.runs;
    await linearVsRef(be, 64, 96, 64, 'f32', 'big');
    expect(cpuMatmulEngine.runs - runs).toBe(1);
    runs = cpuMatmulEngine.runs;
    await linearVsRef(be, 8, 8, 32, 'f32', 'tiny');
    await linearVsRef(be, ORT_MIN_ROWS - 1, 1024, 64, 'q8', 'decode-like');
    expect(cpuMatmulEngine.runs - runs).toBe(0);
    const a = be.upload(f32(randn(80 * 64, 1)), [80, 64]);
    const [c] = await be.run(matmulOp, [a, a], { transB: true });
    expect(cpuMatmulEngine.runs - runs).toBe(1);
    const ref = matmulOp.ref(
      [
        { shape: [80, 64], dtype: 'f32', data: Float64Array.from(a.data) },
        { shape: [80, 64], dtype: 'f32', data: Float64Array.from(a.data) },
      ],
      { transB: true },
    );
    expectClose(await be.download(c), ref[0].data, TOL, 'matmul A·Aᵀ');
  });

  it('feeds a vocabulary-sized weight in row blocks (default block size), f32 and q4', async () => {
    // 16 MiB of weights per run: N·K = 139,297 × 32 > 4 Mi floats, so two blocks, the second ragged.
    const ort = ortGemmEngine({ minRows: 0, minWork: 0 });
    const be = new CpuBackend({ gemm: ort });
    for (const dtype of ['f32', 'q4'] as const) {
      const runs = ort.runs;
      await linearVsRef(be, 3, 139_297, 32, dtype, `vocab ${dtype}`);
      expect(ort.runs - runs).toBe(2);
    }
    // The float64 reference of a 139,297 × 32 weight takes seconds on a shared 2-core machine.
  }, 30_000);

  it('when ORT cannot start, products are still right (JS) and the note says why', async () => {
    const blocked = new OrtGemm({ load: () => Promise.reject(new Error('wasm blocked by the test')) });
    const ort = ortGemmEngine({ minRows: 0, minWork: 0, ort: blocked });
    const be = new CpuBackend({ gemm: ort });
    await linearVsRef(be, 16, 70, 64, 'q8', 'fallback');
    const a = be.upload(f32(randn(9 * 33, 3)), [9, 33]);
    const [c] = await be.run(matmulOp, [a, a], { transB: true });
    const host = { shape: [9, 33], dtype: 'f32' as const, data: Float64Array.from(a.data) };
    expectClose(await be.download(c), matmulOp.ref([host, host], { transB: true })[0].data, TOL, 'fallback matmul');
    expect(ort.status()).toEqual({ state: 'failed', reason: 'wasm blocked by the test' });
    expect(ort.runs).toBe(0);
    expect(await cpuEngineNote(ort)).toMatch(
      /failed to start \(wasm blocked by the test\): matrix products run on the slower plain-JS kernels/,
    );
  });
});
