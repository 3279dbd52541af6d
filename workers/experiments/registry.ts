// The experiment runners this build knows, by kind. Study runners are registered here as they land; a kind
// without a runner can still be opened, edited and shared, and says plainly that it cannot run yet.
import { engineCheckRunner } from './demo-gpu-check';
import { emotionProfilesRunner } from './study-a/runner';
import { geoUnlearningRunner } from './study-b/runner';
import type { ExperimentRunner } from './experiment-runner';
import type { ExperimentResult } from '../contract/results/index';

// Each runner checks its own spec type; the registry only routes by kind.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRunner = ExperimentRunner<any, ExperimentResult>;

const runners = new Map<string, AnyRunner>();

export function registerRunner(runner: AnyRunner): void {
  if (runners.has(runner.kind)) throw new Error(`a runner for ${runner.kind} is already registered`);
  runners.set(runner.kind, runner);
}

export function getRunner(kind: string): AnyRunner | undefined {
  return runners.get(kind);
}

export function runnableKinds(): string[] {
  return [...runners.keys()];
}

registerRunner(engineCheckRunner);
registerRunner(emotionProfilesRunner);
registerRunner(geoUnlearningRunner);
