// Engine self-check (not a study): matmuls of the spec's shapes on the GPU through the matmul kernel, compared
// with its float64 reference (workers/kernels/matmul/matmul.ref.ts), timed. Needs no model, so the lab's whole
// flow (spec → worker → progress → stored result → chart → export) works offline on any WebGPU machine.
import type { EngineCheckSpec } from '../contract/specs/index';
import { matmul } from '../kernels/matmul/matmul';
import { matmulRef } from '../kernels/matmul/matmul.ref';
import { normals, seededRng } from '../analysis/shared/rng';
import { NeedsWebGpuError, type ExperimentRunner } from './experiment-runner';
import type { EngineCheckCase, EngineCheckResult } from '../contract/results/engine-check';
import type { ResultBase } from '../contract/results/base';

// Same bound as the matmul kernel test: f32 accumulation error grows like sqrt(K)·eps for unit-variance inputs.
const tolerance = (K: number, ref: number) => 2e-5 * Math.sqrt(K) + 1e-5 * Math.abs(ref);

export const engineCheckRunner: ExperimentRunner<EngineCheckSpec, EngineCheckResult> = {
  kind: 'engine-check',
  needsWebGpu: true,
  async run(spec, { backend, device, progress, signal }) {
    if (!backend) throw new NeedsWebGpuError('The engine check runs the GPU kernels and needs WebGPU.');
    const next = seededRng(spec.seed);
    const cases: EngineCheckCase[] = [];
    progress({ type: 'phase', label: 'matmul vs float64 reference' });
    for (const [i, [M, N, K]] of spec.shapes.entries()) {
      signal.throwIfAborted();
      const a = normals(next, M * K);
      const b = normals(next, K * N);
      const ta = backend.upload(a, [M, K]);
      const tb = backend.upload(b, [K, N]);
      const tc = await matmul(backend, ta, tb);
      const got = await backend.download(tc);
      tc.dispose();
      const [ref] = matmulRef(
        [
          { shape: [M, K], dtype: 'f32', data: Float64Array.from(a) },
          { shape: [K, N], dtype: 'f32', data: Float64Array.from(b) },
        ],
        {},
      );
      let maxAbsError = 0;
      let worstExcess = -Infinity;
      let tol = 0;
      for (let j = 0; j < ref.data.length; j++) {
        const d = Math.abs(got[j] - ref.data[j]);
        const t = tolerance(K, ref.data[j]);
        maxAbsError = Math.max(maxAbsError, Number.isNaN(d) ? Infinity : d);
        if (d - t > worstExcess || Number.isNaN(d)) [worstExcess, tol] = [Number.isNaN(d) ? Infinity : d - t, t];
      }
      const t0 = performance.now();
      for (let r = 0; r < spec.repeats; r++) (await matmul(backend, ta, tb)).dispose();
      await backend.sync();
      const msPerRun = (performance.now() - t0) / spec.repeats;
      ta.dispose();
      tb.dispose();
      cases.push({
        M,
        N,
        K,
        maxAbsError,
        tolerance: tol,
        pass: worstExcess <= 0,
        msPerRun,
        gflops: (2 * M * N * K) / (msPerRun * 1e6),
      });
      progress({ type: 'step', step: i + 1, total: spec.shapes.length, label: `${M}×${K} · ${K}×${N}` });
    }
    const failed = cases.filter((c) => !c.pass).length;
    const info = device ?? {
      vendor: '',
      architecture: '',
      description: '',
      isFallbackAdapter: false,
      features: { f16: false },
    };
    return {
      kind: 'engine-check',
      summary: failed
        ? `${failed} of ${cases.length} shapes exceed the tolerance`
        : `all ${cases.length} shapes match the float64 reference`,
      adapter: {
        vendor: info.vendor,
        architecture: info.architecture,
        description: info.description,
        f16: info.features.f16,
        fallback: info.isFallbackAdapter,
      },
      cases,
      tables: {
        cases: {
          columns: ['M', 'N', 'K', 'max_abs_error', 'tolerance', 'pass', 'ms_per_run', 'gflops'],
          rows: cases.map((c) => [
            c.M,
            c.N,
            c.K,
            c.maxAbsError,
            c.tolerance,
            c.pass ? 'yes' : 'no',
            c.msPerRun,
            c.gflops,
          ]),
        },
      },
    };
  },
};
