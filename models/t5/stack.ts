// One T5 stack (transformers' T5Stack): shared token embeddings → blocks → final RMSNorm. The relative position
// bias is owned by block 0's table in the checkpoint and, as in transformers, computed once per pass and reused by
// every block (with the padding mask, or the causal mask in the decoder). Hidden states in HF order:
// [embeddings, block 0 … block L−2 outputs, final_layer_norm(block L−1 output)].
import type { Backend, Tensor } from '../../workers/backend/backend';
import { addScaled } from '../../workers/kernels/elementwise/elementwise';
import { embedding } from '../../workers/kernels/embedding/embedding';
import { backwardBlocks, disposeStack, forwardBlocks, type StackState } from '../../workers/nn/block-stack';
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
  stack: StackState<T5BlockCache>; // block inputs x_0 … x_{L−1}, caches, x_L before the final norm [B, T, C]
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
    const bias = uploadPositionBias(be, {
      table: this.relativeBias,
      numHeads,
      numBuckets,
      maxDistance,
      bidirectional: !isDecoder,
      T,
      S: T,
    });
    const keyMask = inp.mask ? be.upload(inp.mask.flat(), [B, T]) : null;
    const inputs: T5BlockInputs = { self: { bias, causal: isDecoder, keyMask: keyMask ?? undefined } };
    if (isDecoder) {
      if (!inp.encoderOut) throw new Error('T5 decoder: encoderOut is required');
      inputs.cross = { kvInput: inp.encoderOut, keyMask: inp.encoderMask };
    }
    const x = await embedding(be, this.embed.value, ids); // [B, T, C]
    const stack = await forwardBlocks(be, this.blocks, x, inputs, opts);
    const n = await this.finalNorm.forward(be, stack.last);
    return { inputs, ids, bias, keyMask, stack, normCache: n.cache, out: n.y };
  }

  hiddenStates(s: T5StackState): Tensor[] {
    return [...s.stack.blockInputs, s.out];
  }

  /** Back-propagate d(out) through the stack; returns the summed gradient into the encoder output (decoder). */
  async backward(be: Backend, s: T5StackState, dOut: Tensor): Promise<Tensor | null> {
    const dx = await this.finalNorm.backward(be, dOut, s.normCache);
    let dEncoder: Tensor | null = null;
    const dBottom = await backwardBlocks(be, this.blocks, s.stack, s.inputs, dx, async (r) => {
      if (r.dEncoder) {
        // Every decoder block's cross-attention reads the same encoder output: their gradients add up.
        if (!dEncoder) dEncoder = r.dEncoder;
        else {
          await addScaled(be, dEncoder, r.dEncoder, 1);
          r.dEncoder.dispose();
        }
      }
      return r.dx;
    });
    dBottom.dispose(); // the shared embeddings are frozen: nothing below needs dX
    return dEncoder;
  }

  dispose(s: T5StackState): void {
    disposeStack(this.blocks, s.stack);
    disposeNormCache(s.normCache);
    disposeAll(s.out, s.ids, s.bias, s.keyMask);
  }
}
