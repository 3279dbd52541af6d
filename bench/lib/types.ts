// What a benchmark case is: a named shape with an "ours" and a "peer" (onnxruntime-web) implementation.
// Each implementation prepares its inputs once and returns a runnable whose run() enqueues the work and waits
// for the GPU, so a timing covers dispatch and execution but no uploads. New cases are small files in cases/.
import type { WebGpuBackend } from '../../workers/backend/webgpu-backend';

export interface Runnable {
  /** Enqueue one execution and wait until the GPU has finished it. */
  run(): Promise<void>;
  dispose(): void;
  /** The last run's output, read back (model cases: the page compares ours with each peer before disposing). */
  output?(): Promise<Float32Array>;
  /** Extra figures measured during the runs (prefill ms, tokens/s, peak memory), printed after the row. */
  summary?(): string;
}

/** Which onnxruntime-web build a peer runs on (see lib/ort.ts). */
export type OrtBuild = 'jsep' | 'native';

export interface BenchEnv {
  backend: WebGpuBackend;
  /** The ORT build for peer() and verify(). */
  ortBuild: OrtBuild;
  /** Uniform random f32 data in [-1, 1). */
  random(n: number): Float32Array;
}

/** 'full': the shapes the table is about. 'quick': every case at small shapes, to check that each one still runs
 *  (`npm run bench -- --quick`, part of `npm test`); its times mean nothing. */
export type BenchScale = 'full' | 'quick';

export interface BenchCase {
  group: string;
  shape: string;
  /** Floating-point operations per run, when GFLOP/s is meaningful. */
  flops?: number;
  /** null: our kernel does not exist yet (printed as "not yet available"). */
  ours(env: BenchEnv): Promise<Runnable | null>;
  peer?(env: BenchEnv): Promise<Runnable>;
  /** Run both sides once on the same inputs and return max |ours − peer| (printed, so a race between two
   *  implementations that compute different things is visible). */
  verify?(env: BenchEnv): Promise<number>;
  /** Model-sized cases take seconds per run on SwiftShader: fewer timed runs / warm-ups than the page default. */
  runs?: number;
  warmup?: number;
  /** `group shape` of an earlier case: the row also prints our time as a multiple of that case's. */
  relativeTo?: string;
  /** How long the whole case (prepare, runs, verify) may take before the driver ends the bench as hung; the
   *  driver's default (run.ts) when absent. */
  timeLimitMs?: number;
}

export interface PeerResult {
  build: OrtBuild;
  ms: number | null;
  /** max |ours − peer| on one run with shared inputs, when the case can check it. */
  maxDiff?: number;
}

export interface BenchRow {
  group: string;
  shape: string;
  flops?: number;
  oursMs: number | null;
  peers: PeerResult[];
  note?: string;
}
