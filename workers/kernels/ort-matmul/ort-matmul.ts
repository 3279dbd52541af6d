// onnxruntime-web's wasm engine (ort-session.ts) as the CPU backend's matrix-product engine (CpuGemm): the host
// hands it to `new CpuBackend({ gemm })`, and matmul's and linear's CPU kernels offer it each product. Measured
// 2–15× faster than the plain-JS blocked kernel at encoder shapes. Two kinds of product stay in JS, by
// measurement: tiny ones (below `minWork` multiply-adds the per-run cost dominates) and those with fewer than
// `minRows` rows of A — every ORT run copies the whole weight into the wasm heap, which a one-token decode step
// cannot amortise. If ORT failed to start, every product runs in JS; the host reports that through `status()`
// (the device report's cpuEngine note, workers/engine/open-engine.ts), so the slower path is never silent.
// Large weights go to ORT in row blocks of at most `blockFloats` (linear.cpu.ts feeds them), so the wasm heap
// stays bounded (a 250k-row vocabulary projection is never copied whole).

import { OrtGemm, type OrtStatus } from './ort-session';
import type { CpuGemm, GemmArgs } from '../../backend/cpu-tensor';

/** Weight floats fed to ORT per run (16 MiB): bounds the wasm heap growth of one run. */
const BLOCK_FLOATS = 4 << 20;

/**
 * Where ORT starts to win, measured in Node on the 2-core dev machine (ORT 1.30, one wasm thread, medians of 9;
 * ratio = JS time / ORT time): 64×64×64 1.9, 16×128×128 0.9; rows of A 1 / 4 / 8 / 16 at N 3072, K 768 (f32):
 * 0.55 / 1.3 / 1.9 / 4.1, and with q4 weights 0.94 / 0.80 / 2.2 / 1.7.
 */
export const ORT_MIN_WORK = 1 << 18;
export const ORT_MIN_ROWS = 8;

export interface OrtGemmOptions {
  /** Multiply-adds below which the JS kernel runs (0 with minRows 0: always ORT, for tests). */
  minWork?: number;
  /** Rows of A below which the JS kernel runs. */
  minRows?: number;
  /** Weight floats per ORT run (default BLOCK_FLOATS; tests make it small to cross row blocks). */
  blockFloats?: number;
  /** The ORT instance (default: one shared per process / worker). */
  ort?: OrtGemm;
}

export interface OrtGemmEngine extends CpuGemm {
  /** Starts ORT (idempotent) and says whether it is in use or why not. */
  start(): Promise<OrtStatus>;
  status(): OrtStatus;
  /** ORT runs so far (tests check the ORT path really ran). */
  readonly runs: number;
}

let shared: OrtGemm | null = null;

export function ortGemmEngine({
  minWork = ORT_MIN_WORK,
  minRows = ORT_MIN_ROWS,
  blockFloats = BLOCK_FLOATS,
  ort: given,
}: OrtGemmOptions = {}): OrtGemmEngine {
  const ort = given ?? (shared ??= new OrtGemm());
  return {
    blockFloats,
    async accepts(M: number, N: number, K: number): Promise<boolean> {
      const work = M * N * K;
      if (work === 0 || work < minWork || M < minRows) return false;
      return (await ort.start()).state === 'ready';
    },
    gemm: (args: GemmArgs) => ort.gemm(args),
    start: () => ort.start(),
    status: () => ort.status(),
    get runs() {
      return ort.runs;
    },
  };
}
