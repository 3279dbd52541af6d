// Storage buffers recycled by size class, with live and peak byte counts for the benchmark's memory report.
// Sizes round up to a power-of-two-ish class so a released buffer fits the next tensor of similar size.
import { BufferUsage } from './constants';

const USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** Above this, sizes are exact to 64 KiB: such buffers are model weights and logits, rarely recycled, and
 *  rounding them up can cross the device's largest allocation (a 1,002 MiB embedding became 1,024 MiB, which
 *  SwiftShader refuses although it reports maxBufferSize = 1 GiB). */
export const EXACT_ABOVE = 128 * 2 ** 20;

/** Size classes: multiples of 256 B below 64 KiB, then steps of 1/8 of the next power of two (≤ 12.5% waste),
 *  and multiples of 64 KiB above EXACT_ABOVE. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, bytes);
  if (b <= 65536) return Math.ceil(b / 256) * 256;
  if (b > EXACT_ABOVE) return Math.ceil(b / 65536) * 65536;
  const step = 2 ** Math.floor(Math.log2(b)) / 8;
  return Math.ceil(b / step) * step;
}

export interface PoolStats {
  liveBytes: number;
  peakLiveBytes: number;
  /** Bytes held by the pool including free (cached) buffers: what the device actually holds. */
  allocatedBytes: number;
  peakAllocatedBytes: number;
  buffers: number;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private live = new Set<GPUBuffer>();
  private stats: PoolStats = { liveBytes: 0, peakLiveBytes: 0, allocatedBytes: 0, peakAllocatedBytes: 0, buffers: 0 };

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, label = 'tensor'): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (!buf) {
      buf = this.device.createBuffer({ size, usage: USAGE, label });
      this.stats.allocatedBytes += size;
      this.stats.buffers++;
      this.stats.peakAllocatedBytes = Math.max(this.stats.peakAllocatedBytes, this.stats.allocatedBytes);
    }
    this.live.add(buf);
    this.stats.liveBytes += size;
    this.stats.peakLiveBytes = Math.max(this.stats.peakLiveBytes, this.stats.liveBytes);
    return buf;
  }

  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) throw new Error('BufferPool.release: buffer is not live (double release?)');
    this.stats.liveBytes -= buf.size;
    const list = this.free.get(buf.size) ?? [];
    list.push(buf);
    this.free.set(buf.size, list);
  }

  /** Destroy cached free buffers (e.g. between benchmark cases, or under memory pressure). */
  trim(): void {
    for (const list of this.free.values())
      for (const b of list) {
        this.stats.allocatedBytes -= b.size;
        this.stats.buffers--;
        b.destroy();
      }
    this.free.clear();
  }

  resetPeak(): void {
    this.stats.peakLiveBytes = this.stats.liveBytes;
    this.stats.peakAllocatedBytes = this.stats.allocatedBytes;
  }

  getStats(): PoolStats {
    return { ...this.stats };
  }
}
