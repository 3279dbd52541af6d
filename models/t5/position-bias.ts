// T5's relative position bias, built on the CPU (transformers' T5Attention._relative_position_bucket and
// compute_bias). Buckets are integers that a 1-ulp difference in a GPU `log` can move across a boundary (with 8
// buckets and max distance 16, decoder distance 8 lands exactly on 6.0), so they are computed here with every
// float step rounded to float32 the way torch's CPU float32 tensors round it, and the bias is a plain gather.
import type { Backend, Tensor } from '../../workers/backend/backend';

export interface BucketOptions {
  /** Encoder self-attention: true (future keys get their own half of the buckets); decoder: false. */
  bidirectional: boolean;
  numBuckets: number;
  maxDistance: number;
}

/** The bucket of relativePosition = key position − query position. */
export function relativePositionBucket(relativePosition: number, opts: BucketOptions): number {
  const f = Math.fround;
  let numBuckets = opts.numBuckets;
  let bucket = 0;
  let n: number;
  if (opts.bidirectional) {
    numBuckets = Math.floor(numBuckets / 2);
    if (relativePosition > 0) bucket += numBuckets;
    n = Math.abs(relativePosition);
  } else {
    n = Math.max(-relativePosition, 0); // only the past: future keys share bucket 0 (and are masked anyway)
  }
  const maxExact = Math.floor(numBuckets / 2);
  if (n < maxExact) return bucket + n;
  // torch: log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact), all in
  // float32 (the Python float scalar is rounded to float32 as the operand), then .to(long) truncates.
  const logRatio = f(Math.log(f(n / maxExact)));
  const logRange = f(Math.log(opts.maxDistance / maxExact));
  const scaled = f(f(logRatio / logRange) * (numBuckets - maxExact));
  const large = Math.min(maxExact + Math.trunc(scaled), numBuckets - 1);
  return bucket + large;
}

export interface PositionBiasOptions extends BucketOptions {
  /** The stack's relative_attention_bias.weight [numBuckets, NH], as stored in the checkpoint. */
  table: Float32Array;
  numHeads: number; // NH
  T: number; // queries
  S: number; // keys
  /** Position of query row 0; default S − T (queries are the last T positions, as with a KV cache). */
  queryOffset?: number;
}

/** Bucket index per (query, key): Int32Array [T, S]. */
export function positionBuckets(opts: BucketOptions & { T: number; S: number; queryOffset?: number }): Int32Array {
  const { T, S } = opts;
  const offset = opts.queryOffset ?? S - T;
  const out = new Int32Array(T * S);
  // The bucket depends only on key − query, so each distinct distance is computed once.
  const memo = new Map<number, number>();
  for (let t = 0; t < T; t++)
    for (let s = 0; s < S; s++) {
      const rel = s - (t + offset);
      let b = memo.get(rel);
      if (b === undefined) memo.set(rel, (b = relativePositionBucket(rel, opts)));
      out[t * S + s] = b;
    }
  return out;
}

/** bias [NH, T, S] = table[bucket(s − t), h], float32 values copied exactly from the table. */
export function positionBias(opts: PositionBiasOptions): Float32Array {
  const { table, numHeads: NH, T, S } = opts;
  if (table.length !== opts.numBuckets * NH)
    throw new Error(`position bias table holds ${table.length} values, expected ${opts.numBuckets}·${NH}`);
  const buckets = positionBuckets(opts);
  const out = new Float32Array(NH * T * S);
  for (let h = 0; h < NH; h++) for (let i = 0; i < T * S; i++) out[h * T * S + i] = table[buckets[i] * NH + h];
  return out;
}

export function uploadPositionBias(be: Backend, opts: PositionBiasOptions): Tensor {
  return be.upload(positionBias(opts), [opts.numHeads, opts.T, opts.S]);
}
