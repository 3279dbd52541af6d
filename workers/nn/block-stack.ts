// Running a stack of residual blocks forward and backward, shared by every model: forward keeps each block's
// input (for hidden states and for recomputation) and its cache only when training without checkpointing;
// backward walks the blocks in reverse and recomputes a cache that checkpointing dropped.
import type { Backend, Tensor } from '../backend/backend';

export interface StackBlock<I, C, G = Tensor> {
  forward(be: Backend, x: Tensor, inp: I): Promise<{ y: Tensor; cache: C }>;
  backward(be: Backend, dy: Tensor, cache: C): Promise<G>;
  disposeCache(c: C): void;
}

export interface StackState<C> {
  blockInputs: Tensor[]; // x_0 … x_{L−1}, kept when training or when hidden states are asked for
  blockCaches: (C | null)[];
  last: Tensor; // x_L
}

export interface StackForwardOptions {
  train?: boolean;
  /** Keep only block inputs; recompute each block during backward (gradient checkpointing). */
  checkpointing?: boolean;
  hiddenStates?: boolean;
}

/** Takes ownership of x. */
export async function forwardBlocks<I, C>(
  be: Backend,
  blocks: readonly StackBlock<I, C, unknown>[],
  x: Tensor,
  inp: I,
  opts: StackForwardOptions,
): Promise<StackState<C>> {
  const blockInputs: Tensor[] = [];
  const blockCaches: (C | null)[] = [];
  for (const block of blocks) {
    const { y, cache } = await block.forward(be, x, inp);
    if (opts.train && !opts.checkpointing) blockCaches.push(cache);
    else {
      block.disposeCache(cache);
      blockCaches.push(null);
    }
    if (opts.train || opts.hiddenStates) blockInputs.push(x);
    else x.dispose();
    x = y;
  }
  return { blockInputs, blockCaches, last: x };
}

/**
 * Back-propagates dx (consumed) from the top of the stack to its input and returns d x_0. `toDx` turns a block's
 * backward result into the gradient of its input (T5 decoder blocks also return a gradient for the encoder output).
 */
export async function backwardBlocks<I, C, G>(
  be: Backend,
  blocks: readonly StackBlock<I, C, G>[],
  s: StackState<C>,
  inp: I,
  dx: Tensor,
  toDx: (g: G) => Promise<Tensor> | Tensor,
): Promise<Tensor> {
  for (let i = blocks.length - 1; i >= 0; i--) {
    const block = blocks[i];
    let cache = s.blockCaches[i];
    if (!cache) {
      const re = await block.forward(be, s.blockInputs[i], inp);
      re.y.dispose();
      cache = re.cache;
    }
    const g = await block.backward(be, dx, cache);
    block.disposeCache(cache);
    s.blockCaches[i] = null;
    dx.dispose();
    dx = await toDx(g);
  }
  return dx;
}

export function disposeStack<I, C>(blocks: readonly StackBlock<I, C, unknown>[], s: StackState<C>): void {
  s.blockCaches.forEach((c, i) => c && blocks[i].disposeCache(c));
  for (const t of s.blockInputs) t.dispose();
  s.last.dispose();
}
