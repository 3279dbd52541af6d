// The CLI's `--backend auto|webgpu|cpu` option, shared by the commands that run models: auto uses Node's WebGPU
// (Dawn) when an adapter works and the CPU backend otherwise; cpu runs inference only (training needs WebGPU).
import type { BackendChoice } from '../workers/contract/api';
import { UsageError } from './command';

export const BACKEND_USAGE = '[--backend auto|webgpu|cpu]';

export function backendOption(options: Record<string, string | true>): BackendChoice {
  const v = options.backend ?? 'auto';
  if (v !== 'auto' && v !== 'webgpu' && v !== 'cpu')
    throw new UsageError(`--backend must be auto, webgpu or cpu, got ${String(v)}`);
  return v;
}
