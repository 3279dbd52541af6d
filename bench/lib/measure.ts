// Timing: warm-up runs (pipeline compilation, allocator growth), then the median of timed runs.

export interface MeasureOptions {
  warmup: number;
  runs: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median wall-clock milliseconds of run(), which must include waiting for the GPU. */
export async function measure(run: () => Promise<void>, { warmup, runs }: MeasureOptions): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return median(times);
}
