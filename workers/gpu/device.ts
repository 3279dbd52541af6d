// Adapter and device acquisition for every host (browser worker, Node + Dawn, headless runner).
// The host hands in its `GPU` object (navigator.gpu, or the one from node-gpu.ts); nothing here imports a host.
import { DeviceLostError } from './errors';
import type { GpuFeatures, GpuInfo } from '../contract/device';

/** Optional features we use when the adapter has them. */
const WANTED_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

export interface Gpu {
  device: GPUDevice;
  info: GpuInfo;
  /** Resolves (never rejects) when the device is lost; `lostError` is then set. */
  lost: Promise<DeviceLostError>;
  lostError: DeviceLostError | null;
}

export interface AcquireOptions {
  gpu: GPU;
  /** Turn off optional features (tests use this to cover the f32 path on an f16-capable adapter). */
  disable?: Partial<Record<keyof GpuFeatures, boolean>>;
  powerPreference?: GPUPowerPreference;
}

export class NoWebGpuError extends Error {
  override readonly name = 'NoWebGpuError';
}

export async function acquireGpu({
  gpu,
  disable = {},
  powerPreference = 'high-performance',
}: AcquireOptions): Promise<Gpu> {
  const adapter = await gpu.requestAdapter({ powerPreference });
  if (!adapter) throw new NoWebGpuError('WebGPU is available but no adapter was found');
  const has = (f: string) => adapter.features.has(f);
  const features: GpuFeatures = {
    f16: has('shader-f16') && !disable.f16,
    subgroups: has('subgroups') && !disable.subgroups,
    timestamps: has('timestamp-query') && !disable.timestamps,
  };
  const requiredFeatures = WANTED_FEATURES.filter(
    (f) => has(f) && features[f === 'shader-f16' ? 'f16' : f === 'timestamp-query' ? 'timestamps' : 'subgroups'],
  ) as GPUFeatureName[];
  const al = adapter.limits;
  // Ask for the adapter's maxima: defaults cap storage bindings at 128 MiB, too small for embeddings of real models.
  const requiredLimits = {
    maxBufferSize: al.maxBufferSize,
    maxStorageBufferBindingSize: al.maxStorageBufferBindingSize,
    maxComputeWorkgroupStorageSize: al.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: al.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: al.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: al.maxComputeWorkgroupSizeY,
    maxStorageBuffersPerShaderStage: al.maxStorageBuffersPerShaderStage,
  };
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  const ai = adapter.info;
  const info: GpuInfo = {
    vendor: ai?.vendor ?? '',
    architecture: ai?.architecture ?? '',
    device: ai?.device ?? '',
    description: ai?.description ?? '',
    isFallbackAdapter: Boolean((ai as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
    features,
    limits: {
      maxBufferSize: device.limits.maxBufferSize,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: device.limits.maxStorageBuffersPerShaderStage,
    },
  };
  const result: Gpu = { device, info, lostError: null, lost: null as unknown as Promise<DeviceLostError> };
  result.lost = device.lost.then((l) => {
    result.lostError = new DeviceLostError(l.reason, l.message);
    return result.lostError;
  });
  return result;
}
