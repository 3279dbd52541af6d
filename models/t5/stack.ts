// One T5 stack (transformers' T5Stack): shared token embeddings → blocks → final RMSNorm. The relative position
// bias is owned by block 0's table in the checkpoint and, as in transformers, computed once per pass and reused by
// every block (with the padding mask, or the causal mask in the decoder). Hidden states in HF order:
// [embeddings, block 0 … block L−2 outputs, final_layer_norm(block L−1 output)].
import type { Backend, Tensor } from '../../workers/backend/backend';
import { addScaled } from '../../workers/kernels/elementwise/elementwise';
import { embedding } from '../../workers/kernels/embedding/embedding';
import { RmsNorm, disposeNormCache, type NormCache } from '../../workers/nn/norms';
import { disposeAll, type Param } from '../../workers/nn/param';
import { T5Block, type T5BlockCache, type T5BlockInputs } from './blocks';
import { uploadPositionBias } from './position-bias';

export interface T5StackConfig {
  isDecoder: boolean;
  numHeads: number; // NH
  numBuckets: number;
  maxDistance: number;
}

export interface T5StackInputs {
  ids: number[][]; // [B, T]
  /** Padding mask of this stack's own tokens [B, T]; the decoder is causal and usually has none. */
  mask?: number[][];
  /** Decoder only: the encoder's final hidden state [B, S, C] and its padding mask [B, S]. */
  encoderOut?: Tensor;
  encoderMask?: Tensor;
}

export interface T5StackOptions {
  hiddenStates?: boolean;
  train?: boolean;
  /** Keep only block inputs and recompute each block during backward. */
  checkpointing?: boolean;
}

export interface T5StackState {
  inputs: T5BlockInputs;
  ids: Tensor; // i32 [B, T]
  bias: Tensor; // [NH, T, T]
  keyMask: Tensor | null; // [B, T]
  blockInputs: Tensor[]; // x_0 … x_{L−1}
  blockCaches: (T5BlockCache | null)[];
  last: Tensor; // x_L before the final norm [B, T, C]
  normCache: NormCache;
  out: Tensor; // final_layer_norm(x_L) [B, T, C]
}

export class T5Stack {
  constructor(
    readonly cfg: T5StackConfig,
    readonly embed: Param, // shared.weight [V, C]
    /** Block 0's relative_attention_bias.weight [numBuckets, NH], kept on the CPU: buckets are built exactly there. */
    readonly relativeBias: Float32Array,
    readonly blocks: T5Block[],
    readonly finalNorm: RmsNorm,
  ) {}

  async forward(be: Backend, inp: T5StackInputs, opts: T5StackOptions = {}): Promise<T5StackState> {
    const { isDecoder, numHeads, numBuckets, maxDistance } = this.cfg;
    const B = inp.ids.length;
    const T = inp.ids[0].length;
    const ids = be.upload(inp.ids.flat(), [B, T], 'i32');
    const bias = uploadPositionBias(be, { table: this.relativeBias, numHeads, numBuckets, maxDistance, bidirectional: !isDecoder, T, S: T });
    const keyMask = inp.mask ? be.upload(inp.mask.flat(), [B, T]) : null;
    const inputs: T5BlockInputs = { self: { bias, causal: isDecoder, keyMask: keyMask ?? undefined } };
    if (isDecoder) {
      if (!inp.encoderOut) throw new Error('T5 decoder: encoderOut is required');
      inputs.cross = { kvInput: inp.encoderOut, keyMask: inp.encoderMask };
    }
    let x = await embedding(be, this.embed.value, ids); // [B, T, C]
    const blockInputs: Tensor[] = [];
    const blockCaches: (T5BlockCache | null)[] = [];
    for (const block of this.blocks) {
      const { y, cache } = await block.forward(be, x, inputs);
      if (opts.train && !opts.checkpointing) blockCaches.push(cache);
      else {
        block.disposeCache(cache);
        blockCaches.push(null);
      }
      if (opts.train || opts.hiddenStates) blockInputs.push(x);
      else x.dispose();
      x = y;
    }
    const n = await this.finalNorm.forward(be, x);
    return { inputs, ids, bias, keyMask, blockInputs, blockCaches, last: x, normCache: n.cache, out: n.y };
  }

  hiddenStates(s: T5StackState): Tensor[] {
    return [...s.blockInputs, s.out];
  }

  /** Back-propagate d(out) through the stack; returns the summed gradient into the encoder output (decoder). */
  async backward(be: Backend, s: T5StackState, dOut: Tensor): Promise<Tensor | null> {
    let dx = await this.finalNorm.backward(be, dOut, s.normCache);
    let dEncoder: Tensor | null = null;
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const block = this.blocks[i];
      let cache = s.blockCaches[i];
      if (!cache) {
        const re = await block.forward(be, s.blockInputs[i], s.inputs);
        re.y.dispose();
        cache = re.cache;
      }
      const r = await block.backward(be, dx, cache);
      block.disposeCache(cache);
      s.blockCaches[i] = null;
      dx.dispose();
      dx = r.dx;
      if (r.dEncoder) {
        // Every decoder block's cross-attention reads the same encoder output: their gradients add up.
        if (!dEncoder) dEncoder = r.dEncoder;
        else {
          await addScaled(be, dEncoder, r.dEncoder, 1);
          r.dEncoder.dispose();
        }
      }
    }
    dx.dispose(); // the shared embeddings are frozen: nothing below needs dX
    return dEncoder;
  }

  dispose(s: T5StackState): void {
    s.blockCaches.forEach((c, i) => c && this.blocks[i].disposeCache(c));
    disposeNormCache(s.normCache);
    disposeAll(s.blockInputs, s.last, s.out, s.ids, s.bias, s.keyMask);
  }
}
