// The CPU backend's matmul and linear kernels routed through onnxruntime-web's wasm engine (ort-session.ts):
// measured 2–15× faster than the plain-JS blocked kernel at encoder shapes. Two kinds of product stay in JS, by
// measurement: tiny ones (below `minWork` multiply-adds the per-run cost dominates) and those with fewer than
// `minRows` rows of A — every ORT run copies the whole weight into the wasm heap, which a one-token decode step
// cannot amortise. If ORT failed to start, every product runs in JS; the host reports that through `status()`
// (lab-host's DeviceReport note), so the slower path is never silent.
// Large weights go to ORT in row blocks of at most BLOCK_FLOATS, so the wasm heap stays bounded (a 250k-row
// vocabulary projection is never copied whole); q8/q4 weights are dequantised block by block into scratch.
import type { CpuKernel, CpuTensor } from '../../backend/cpu-backend';
import { dequantRows, linearCpu } from '../linear/linear.cpu';
import { linearShapes } from '../linear/linear-shapes';
import { matmulCpu } from '../matmul/matmul.cpu';
import { matmulShapes, type MatmulAttrs } from '../matmul/matmul-shapes';
import { OrtGemm, type OrtStatus } from './ort-session';

/** Weight floats fed to ORT per run (16 MiB): bounds the wasm heap growth of one run. */
const BLOCK_FLOATS = 4 << 20;

/**
 * Where ORT starts to win, measured in Node on the 2-core dev machine (ORT 1.30, one wasm thread, medians of 9;
 * ratio = JS time / ORT time): 64×64×64 1.9, 16×128×128 0.9; rows of A 1 / 4 / 8 / 16 at N 3072, K 768 (f32):
 * 0.55 / 1.3 / 1.9 / 4.1, and with q4 weights 0.94 / 0.80 / 2.2 / 1.7.
 */
export const ORT_MIN_WORK = 1 << 18;
export const ORT_MIN_ROWS = 8;

export interface OrtMatmulOptions {
  /** Multiply-adds below which the JS kernel runs (0 with minRows 0: always ORT, for tests). */
  minWork?: number;
  /** Rows of A below which the JS kernel runs. */
  minRows?: number;
  /** Weight floats per ORT run (default BLOCK_FLOATS; tests make it small to cross row blocks). */
  blockFloats?: number;
  /** The ORT instance (default: one shared per process / worker). */
  gemm?: OrtGemm;
}

export interface OrtMatmulKernels {
  matmul: CpuKernel<MatmulAttrs>;
  linear: CpuKernel;
  /** Starts ORT (idempotent) and says whether it is in use or why not. */
  start(): Promise<OrtStatus>;
  status(): OrtStatus;
  /** ORT runs so far (tests check the ORT path really ran). */
  readonly runs: number;
}

let shared: OrtGemm | null = null;

export function ortMatmulKernels({ minWork = ORT_MIN_WORK, minRows = ORT_MIN_ROWS, blockFloats = BLOCK_FLOATS, gemm }: OrtMatmulOptions = {}): OrtMatmulKernels {
  const ort = gemm ?? (shared ??= new OrtGemm());

  /** Whether this product goes to ORT (starting ORT on first use). */
  async function useOrt(M: number, N: number, K: number): Promise<boolean> {
    const work = M * N * K;
    if (work === 0 || work < minWork || M < minRows) return false;
    return (await ort.start()).state === 'ready';
  }

  const matmul: CpuKernel<MatmulAttrs> = async (inputs, outputs, attrs) => {
    const [a, b] = inputs;
    const { M, N, K, batch, broadcastB } = matmulShapes(a.shape, b.shape, attrs);
    if (!(await useOrt(M, N, K))) return matmulCpu(inputs, outputs, attrs);
    const A = a.data as Float32Array;
    const B = b.data as Float32Array;
    const C = outputs[0].data as Float32Array;
    const form = { transA: !!attrs.transA, transB: !!attrs.transB, alpha: attrs.alpha ?? 1, bias: false };
    for (let bi = 0; bi < batch; bi++) {
      const bOff = broadcastB ? 0 : bi * K * N;
      await ort.gemm({ form, A: A.subarray(bi * M * K, (bi + 1) * M * K), B: B.subarray(bOff, bOff + K * N), M, N, K, out: C, outOff: bi * M * N, ldo: N });
    }
  };

  const linear: CpuKernel = async (inputs, outputs) => {
    const [x, w, bias] = inputs as CpuTensor[];
    const { M, N, K } = linearShapes(x, w, bias);
    if (!(await useOrt(M, N, K))) return linearCpu(inputs, outputs);
    if (w.dtype !== 'f32' && w.dtype !== 'q8' && w.dtype !== 'q4') throw new Error(`linear: the CPU backend cannot read ${w.dtype} weights (f32, q8 or q4)`);
    const X = x.data as Float32Array;
    const Y = outputs[0].data as Float32Array;
    const bAll = bias ? (bias.data as Float32Array) : undefined;
    const form = { transA: false, transB: true, alpha: 1, bias: !!bAll };
    const rows = Math.max(1, Math.floor(blockFloats / K));
    const scratch = w.dtype === 'f32' ? null : new Float32Array(Math.min(rows, N) * K);
    for (let n0 = 0; n0 < N; n0 += rows) {
      const nb = Math.min(rows, N - n0);
      let Wb: Float32Array;
      if (scratch) {
        dequantRows(w.data as Uint32Array, w.shape, w.dtype as 'q8' | 'q4', n0, nb, scratch);
        Wb = scratch.subarray(0, nb * K);
      } else Wb = (w.data as Float32Array).subarray(n0 * K, (n0 + nb) * K);
      await ort.gemm({ form, A: X.subarray(0, M * K), B: Wb, bias: bAll?.subarray(n0, n0 + nb), M, N: nb, K, out: Y, outOff: n0, ldo: N });
    }
  };

  return {
    matmul,
    linear,
    start: () => ort.start(),
    status: () => ort.status(),
    get runs() {
      return ort.runs;
    },
  };
}
