// Next-token choice from one row of logits: greedy, or sampling with temperature, top-k and top-p (nucleus) from
// a seeded RNG, in the order transformers' logits processors apply them (temperature → top-k → top-p).
import { seededRng } from '../../workers/analysis/shared/rng';

export interface SamplingOptions {
  /** 0 or absent: greedy (argmax; the lowest id wins ties). */
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export class Sampler {
  private rand: () => number;

  constructor(readonly opts: SamplingOptions = {}) {
    this.rand = seededRng(opts.seed ?? 0);
  }

  get greedy(): boolean {
    return !this.opts.temperature;
  }

  next(row: ArrayLike<number>): number {
    if (this.greedy) return argmax(row);
    const t = this.opts.temperature!;
    let ids = Array.from({ length: row.length }, (_, i) => i).sort((a, b) => row[b] - row[a] || a - b);
    if (this.opts.topK && this.opts.topK > 0) ids = ids.slice(0, this.opts.topK);
    const max = row[ids[0]] / t;
    let probs = ids.map((i) => Math.exp(row[i] / t - max));
    let sum = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / sum);
    const topP = this.opts.topP;
    if (topP !== undefined && topP < 1) {
      // Keep the smallest prefix whose mass reaches top_p (always at least one token).
      let acc = 0;
      let keep = 0;
      while (keep < probs.length && (keep === 0 || acc < topP)) acc += probs[keep++];
      ids = ids.slice(0, keep);
      probs = probs.slice(0, keep);
      sum = probs.reduce((a, b) => a + b, 0);
      probs = probs.map((p) => p / sum);
    }
    let u = this.rand();
    for (let i = 0; i < ids.length; i++) {
      u -= probs[i];
      if (u <= 0) return ids[i];
    }
    return ids[ids.length - 1];
  }
}
