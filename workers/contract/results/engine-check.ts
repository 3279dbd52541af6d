// The engine self-check's result: matmuls of the spec's shapes against their float64 reference, timed.
import type { ResultBase } from './base';

export interface EngineCheckCase {
  M: number;
  N: number;
  K: number;
  maxAbsError: number;
  tolerance: number;
  pass: boolean;
  msPerRun: number;
  gflops: number;
}

export interface EngineCheckResult extends ResultBase {
  kind: 'engine-check';
  adapter: { vendor: string; architecture: string; description: string; f16: boolean; fallback: boolean };
  cases: EngineCheckCase[];
}
