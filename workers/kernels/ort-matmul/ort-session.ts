// onnxruntime-web's wasm execution provider as the CPU backend's matrix-product engine (issue 4: without WebGPU,
// inference falls back to the WASM path). Loads `onnxruntime-web/wasm` once, points it at the .wasm file the app
// itself serves (browser: a Vite `?url` asset of this build, never a CDN; Node: the file inside node_modules, which
// ORT finds next to its own module), and keeps one session per Gemm form (gemm-model.ts). Runs are serialised:
// ORT's wasm instance is single and every run copies its feeds into the wasm heap, so one at a time bounds the heap.
// If ORT cannot start, `status()` says why and matmul's and linear's CPU kernels use their plain-JS paths instead.
import type * as Ort from 'onnxruntime-web';

import { gemmModel, type GemmForm } from './gemm-model';
import type { GemmArgs } from '../../backend/cpu-tensor';

export type OrtStatus =
  | { state: 'idle' }
  | { state: 'ready'; version: string; threads: number; wasm: string }
  | { state: 'failed'; reason: string };

type OrtModule = typeof Ort;

export interface OrtGemmOptions {
  /** How to obtain ORT (tests inject a failing loader to exercise the JS fallback). */
  load?: () => Promise<OrtModule>;
}

const inNode = typeof process !== 'undefined' && !!process.versions?.node;

async function loadOrt(): Promise<{ ort: OrtModule; wasm: string }> {
  const ort = (await import('onnxruntime-web/wasm')) as unknown as OrtModule;
  let wasm = 'ort-wasm-simd-threaded.wasm beside onnxruntime-web in node_modules';
  if (!inNode) {
    // The ?url import makes Vite emit the .wasm into this build and gives its URL on the app's own origin.
    const asset = await import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url');
    wasm = new URL(asset.default, self.location.href).href;
    ort.env.wasm.wasmPaths = { wasm };
  }
  return { ort, wasm };
}

/**
 * Threads ORT may use. Browser: wasm threads need SharedArrayBuffer, i.e. cross-origin isolation (COOP/COEP),
 * which the app does not set, so one thread there. Node: ORT 1.30's thread workers fetch their glue by URL and
 * fail to start ("fetch failed", measured), so one thread there too.
 */
function threadCount(): number {
  if (inNode || !globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

export class OrtGemm {
  private ort: OrtModule | null = null;
  private starting: Promise<OrtStatus> | null = null;
  private current: OrtStatus = { state: 'idle' };
  private readonly sessions = new Map<string, Promise<Ort.InferenceSession>>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Gemm runs done (tests check that the ORT path really ran). */
  runs = 0;

  constructor(private readonly opts: OrtGemmOptions = {}) {}

  status(): OrtStatus {
    return this.current;
  }

  /** Starts ORT once; resolves to 'ready' or 'failed' (never rejects). */
  start(): Promise<OrtStatus> {
    this.starting ??= (async (): Promise<OrtStatus> => {
      try {
        const { ort, wasm } = this.opts.load ? { ort: await this.opts.load(), wasm: 'injected' } : await loadOrt();
        ort.env.logLevel = 'error';
        ort.env.wasm.numThreads = threadCount();
        ort.env.wasm.proxy = false;
        // Creating a first session initialises the wasm module, so a missing or blocked .wasm fails here.
        await this.session(ort, { transA: false, transB: true, alpha: 1, bias: false });
        this.ort = ort;
        this.current = {
          state: 'ready',
          version: ort.env.versions.web ?? '?',
          threads: ort.env.wasm.numThreads ?? 1,
          wasm,
        };
      } catch (e) {
        this.current = { state: 'failed', reason: e instanceof Error ? e.message : String(e) };
      }
      return this.current;
    })();
    return this.starting;
  }

  private session(ort: OrtModule, form: GemmForm): Promise<Ort.InferenceSession> {
    const key = `${+form.transA}${+form.transB}${+form.bias}:${form.alpha}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = ort.InferenceSession.create(gemmModel(form), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      this.sessions.set(key, s);
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  /**
   * Y [M, N] = alpha · op(A) · op(B) (+ bias[N]) on ORT; A and B as stored (transposed forms read in place).
   * Writes into `out` at `outOff` with row stride `ldo` (a column block of a wider output when ldo > N).
   */
  gemm(args: GemmArgs): Promise<void> {
    const run = this.queue.then(() => this.gemmNow(args));
    this.queue = run.catch(() => {});
    return run;
  }

  private async gemmNow({ transA, transB, alpha, A, B, bias, M, N, K, out, outOff, ldo }: GemmArgs): Promise<void> {
    const ort = this.ort;
    if (!ort) throw new Error('onnxruntime-web is not started (call start() first)');
    const form: GemmForm = { transA, transB, alpha, bias: !!bias };
    const session = await this.session(ort, form);
    const feeds: Record<string, Ort.Tensor> = {
      A: new ort.Tensor('float32', A, form.transA ? [K, M] : [M, K]),
      B: new ort.Tensor('float32', B, form.transB ? [N, K] : [K, N]),
    };
    if (bias) feeds.C = new ort.Tensor('float32', bias, [N]);
    const res = await session.run(feeds);
    this.runs++;
    const y = res.Y.data as Float32Array;
    if (ldo === N) out.set(y, outOff);
    else for (let m = 0; m < M; m++) out.set(y.subarray(m * N, (m + 1) * N), outOff + m * ldo);
    res.Y.dispose();
  }
}
