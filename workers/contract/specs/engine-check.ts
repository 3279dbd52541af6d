// Spec of the engine self-check: not a study. Runs matmuls of the given shapes on the GPU and compares them
// with the float64 reference, so a user can see that WebGPU works on their machine before a real run.
import * as v from 'valibot';
import { baseEntries, PositiveInt } from './common';

export const EngineCheckSpec = v.strictObject({
  ...baseEntries,
  kind: v.literal('engine-check'),
  /** [M, N, K] per case. */
  shapes: v.pipe(
    v.array(v.tuple([PositiveInt(1024), PositiveInt(1024), PositiveInt(1024)])),
    v.minLength(1),
    v.maxLength(16),
  ),
  /** Timed repetitions per shape (after one warm-up). */
  repeats: PositiveInt(50),
});
export type EngineCheckSpec = v.InferOutput<typeof EngineCheckSpec>;

export function demoEngineCheckSpec(): EngineCheckSpec {
  return {
    version: 1,
    kind: 'engine-check',
    title: 'Engine self-check: matmul on this GPU vs float64',
    seed: 1,
    shapes: [
      [64, 64, 64],
      [33, 70, 17],
      [1, 128, 96],
      [100, 1, 50],
    ],
    repeats: 3,
  };
}
