// The one generic runner: takes typed dispatch descriptors, records them into a command encoder, submits in
// batches, reads buffers back, times dispatches when timestamp queries exist, and turns device loss and
// uncaptured WebGPU errors into typed errors. It knows devices and pipelines, never models or ops.
//
// Binding convention for every kernel: @group(0) @binding(0) is the uniform `Params` struct (when the
// descriptor has uniforms, encoded by the kernel's uniformStruct, uniforms.ts); storage buffers follow at
// bindings 1..n in descriptor order.
import { BufferPool } from './buffer-pool';
import { BufferUsage, MapMode } from './constants';
import type { Gpu } from './device';
import { DeviceLostError, GpuError } from './errors';
import { PipelineCache, type OverrideConstants } from './pipeline-cache';
import type { UniformBlock } from './uniforms';

export type Workgroups = readonly [number, number?, number?];

export interface DispatchDescriptor {
  /** Shown in GPU errors and in per-dispatch timings. */
  label: string;
  code: string;
  entryPoint: string;
  constants?: OverrideConstants;
  /** The WGSL `Params` struct, encoded from named fields by the kernel's uniformStruct (padded to 16 bytes). */
  uniforms?: UniformBlock;
  /** Storage bindings 1..n. */
  buffers: readonly GPUBuffer[];
  workgroups: Workgroups;
}

export interface DispatchTiming {
  label: string;
  ms: number;
}

const UNIFORM_SLOT = 256; // minUniformBufferOffsetAlignment on every adapter we target
const UNIFORM_CHUNK = 256 * UNIFORM_SLOT;
/** Submit after this many dispatches, so a long forward pass does not build one gigantic command buffer. */
const MAX_PENDING = 512;

export class Runner {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private uniformChunks: GPUBuffer[] = [];
  private uniformStaging = new Uint8Array(UNIFORM_CHUNK);
  private uniformUsed = 0; // bytes used in the current chunk
  private uniformChunk = 0; // index of the current chunk
  private errors: GpuError[] = [];
  private profiling: {
    querySet: GPUQuerySet;
    resolve: GPUBuffer;
    labels: string[];
    results: DispatchTiming[];
    capacity: number;
  } | null = null;

  constructor(readonly gpu: Gpu) {
    this.device = gpu.device;
    this.pool = new BufferPool(this.device);
    this.pipelines = new PipelineCache(this.device);
    this.device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      const kind = errorKind(e);
      this.errors.push(new GpuError(kind, e.message));
    });
  }

  /** Throws the first pending GPU error or the device-lost error, if any. */
  checkErrors(): void {
    if (this.gpu.lostError) throw this.gpu.lostError;
    const e = this.errors.shift();
    if (e) {
      this.errors.length = 0;
      throw e;
    }
  }

  dispatch(d: DispatchDescriptor): void {
    if (this.gpu.lostError) throw this.gpu.lostError;
    const pipeline = this.pipelines.get(d.code, d.entryPoint, d.constants, d.label);
    const entries: GPUBindGroupEntry[] = [];
    if (d.uniforms) entries.push({ binding: 0, resource: this.uniformSlot(d.uniforms) });
    d.buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
    const bindGroup = this.device.createBindGroup({ label: d.label, layout: pipeline.getBindGroupLayout(0), entries });
    const [x, y = 1, z = 1] = d.workgroups;
    const max = this.gpu.info.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max)
      throw new GpuError('validation', `${d.label}: workgroups ${x}×${y}×${z} exceed ${max}`);
    if (x === 0 || y === 0 || z === 0) return;
    // Each profiled dispatch takes two timestamp slots: submit before the query set runs out.
    if (this.profiling && this.profiling.labels.length >= this.profiling.capacity) this.flush();
    const pass = this.beginPass(d.label);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiling) this.endPass();
    if (++this.pending >= MAX_PENDING) this.flush();
  }

  /** Copy between buffers in stream order (used by ops that only move bytes). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.endPass();
    this.getEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  write(buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
    // queue.writeBuffer is ordered before the next submit: flush first so earlier recorded work sees the old data.
    if (this.pending) this.flush();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const padded = bytes.byteLength % 4 === 0 ? bytes : padTo4(bytes);
    this.device.queue.writeBuffer(buffer, offset, padded as Uint8Array<ArrayBuffer>);
  }

  flush(): void {
    this.endPass();
    if (!this.encoder) return;
    this.writeUniforms();
    if (this.profiling) this.resolveTimestamps(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pending = 0;
    this.uniformUsed = 0;
    this.uniformChunk = 0;
  }

  /** Read `bytes` from `buffer` after all recorded work. Rejects with DeviceLostError instead of hanging. */
  async read(buffer: GPUBuffer, bytes = buffer.size, offset = 0): Promise<ArrayBuffer> {
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.device.createBuffer({ size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    this.endPass();
    this.getEncoder().copyBufferToBuffer(buffer, offset, staging, 0, size);
    this.flush();
    try {
      await Promise.race([staging.mapAsync(MapMode.READ), this.gpu.lost.then((e) => Promise.reject(e))]);
      this.checkErrors();
      return staging.getMappedRange().slice(0, bytes);
    } finally {
      staging.destroy();
    }
  }

  /** Wait for all submitted work (used by benchmarks). */
  async sync(): Promise<void> {
    this.flush();
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.gpu.lost.then((e) => Promise.reject(e))]);
    this.checkErrors();
  }

  /** Per-dispatch GPU timings; each dispatch then gets its own pass. Needs the timestamp-query feature. */
  startProfiling(maxDispatches = 2048): boolean {
    if (!this.gpu.info.features.timestamps) return false;
    this.flush();
    // A query set holds at most 4096 queries (WebGPU's limit): two per dispatch.
    maxDispatches = Math.min(maxDispatches, 2048);
    const querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 * maxDispatches });
    const resolve = this.device.createBuffer({
      size: 16 * maxDispatches,
      usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC,
    });
    this.profiling = { querySet, resolve, labels: [], results: [], capacity: maxDispatches };
    return true;
  }

  async stopProfiling(): Promise<DispatchTiming[]> {
    const p = this.profiling;
    if (!p) return [];
    this.flush();
    this.profiling = null;
    await this.sync();
    await Promise.all(this.pendingTimes.splice(0));
    p.querySet.destroy();
    p.resolve.destroy();
    return p.results;
  }

  private pendingTimes: Promise<void>[] = [];

  private resolveTimestamps(encoder: GPUCommandEncoder): void {
    const p = this.profiling!;
    const n = p.labels.length;
    if (!n) return;
    encoder.resolveQuerySet(p.querySet, 0, 2 * n, p.resolve, 0);
    const staging = this.device.createBuffer({ size: 16 * n, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(p.resolve, 0, staging, 0, 16 * n);
    const labels = p.labels.splice(0);
    // The map is requested after submit (below, in a microtask) so the copy has been submitted first.
    queueMicrotask(() => {
      this.pendingTimes.push(
        staging.mapAsync(MapMode.READ).then(() => {
          const t = new BigInt64Array(staging.getMappedRange());
          labels.forEach((label, i) => p.results.push({ label, ms: Number(t[2 * i + 1] - t[2 * i]) / 1e6 }));
          staging.destroy();
        }),
      );
    });
  }

  private getEncoder(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private beginPass(label: string): GPUComputePassEncoder {
    if (this.pass) return this.pass;
    const p = this.profiling;
    let desc: GPUComputePassDescriptor = {};
    if (p) {
      const i = p.labels.length;
      p.labels.push(label);
      desc = {
        timestampWrites: { querySet: p.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
      };
    }
    this.pass = this.getEncoder().beginComputePass(desc);
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private uniformSlot(block: UniformBlock): GPUBufferBinding {
    const bytes = block.bytes.byteLength;
    if (bytes > UNIFORM_SLOT)
      throw new GpuError('validation', `uniform block of ${bytes} bytes exceeds ${UNIFORM_SLOT}`);
    if (this.uniformUsed + UNIFORM_SLOT > UNIFORM_CHUNK) {
      this.writeChunk();
      this.uniformChunk++;
      this.uniformUsed = 0;
    }
    this.uniformStaging.set(block.bytes, this.uniformUsed);
    const offset = this.uniformUsed;
    this.uniformUsed += UNIFORM_SLOT;
    return { buffer: this.chunk(this.uniformChunk), offset, size: bytes };
  }

  private chunk(i: number): GPUBuffer {
    while (this.uniformChunks.length <= i)
      this.uniformChunks.push(
        this.device.createBuffer({
          size: UNIFORM_CHUNK,
          usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
          label: 'uniforms',
        }),
      );
    return this.uniformChunks[i];
  }

  /** Upload the staged uniforms of the current chunk. A full chunk is written before the next one starts. */
  private writeChunk(): void {
    if (this.uniformUsed)
      this.device.queue.writeBuffer(this.chunk(this.uniformChunk), 0, this.uniformStaging, 0, this.uniformUsed);
  }

  private writeUniforms(): void {
    this.writeChunk();
  }
}

function errorKind(e: GPUError): 'out-of-memory' | 'validation' | 'internal' {
  const name = e.constructor?.name ?? '';
  if (name.includes('OutOfMemory')) return 'out-of-memory';
  if (name.includes('Validation')) return 'validation';
  return 'internal';
}

function padTo4(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(bytes);
  return out;
}

export { DeviceLostError };
