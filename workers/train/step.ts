// One training step, generic over the loss (a closure over any model): gradient accumulation over micro-batches,
// optional clipping, a learning-rate schedule and cancellation. Grads are summed by the model's backward passes
// and scaled by 1/micro-batches inside the AdamW update (with the clipping factor), so the step equals one batch
// made of all micro-batches when each micro-batch loss is a mean over equally many items.
import type { Backend } from '../backend/backend';
import { zeroGrads } from '../nn/param';
import { requireGrad, type AdamWOptimizer } from './adamw-optimizer';
import { clipGradNorm } from './clip';
import type { Schedule } from './schedules';

export interface TrainStepOptions<B> {
  /** Steps the parameters it was built with: their gradients are zeroed first and read at the update. */
  optimizer: AdamWOptimizer;
  /** Forward and backward on one micro-batch: ADDS d loss / d param into each parameter's grad and returns the
   *  loss (a mean over the micro-batch's items). */
  lossAndGrad(batch: B): Promise<number>;
  /** One entry per micro-batch; gradients are accumulated over all of them before one update. */
  microBatches: readonly B[];
  /** A fixed learning rate, or a schedule evaluated at optimizer.stepCount. One of the two is required. */
  lr?: number;
  schedule?: Schedule;
  /** Clip the (averaged) gradient norm to this value, as torch.nn.utils.clip_grad_norm_. */
  maxGradNorm?: number;
  /** Checked before every micro-batch and before the update: an aborted step leaves the parameters untouched. */
  signal?: AbortSignal;
}

export interface TrainStepResult {
  /** Mean of the micro-batch losses. */
  loss: number;
  lr: number;
  /** Gradient norm before clipping (null when not clipping, to skip the read-back). */
  gradNorm: number | null;
  /** The clipping factor applied (1 when not clipping). */
  clipScale: number;
  /** optimizer.stepCount after the update. */
  step: number;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The training step was aborted', 'AbortError');
}

export async function trainStep<B>(be: Backend, opts: TrainStepOptions<B>): Promise<TrainStepResult> {
  const { optimizer, microBatches, signal } = opts;
  if (microBatches.length === 0) throw new Error('trainStep: no micro-batches');
  const lr = opts.schedule ? opts.schedule.lrAt(optimizer.stepCount) : opts.lr;
  if (lr === undefined) throw new Error('trainStep: give lr or schedule');
  zeroGrads(optimizer.params);
  let lossSum = 0;
  for (const batch of microBatches) {
    throwIfAborted(signal);
    lossSum += await opts.lossAndGrad(batch);
  }
  const preScale = 1 / microBatches.length;
  let gradNorm: number | null = null;
  let clipScale = 1;
  if (opts.maxGradNorm !== undefined) {
    const clip = await clipGradNorm(be, optimizer.params.map(requireGrad), opts.maxGradNorm, { preScale });
    gradNorm = clip.norm;
    clipScale = clip.scale;
  }
  throwIfAborted(signal);
  await optimizer.step({ lr, gradScale: preScale * clipScale });
  return { loss: lossSum / microBatches.length, lr, gradNorm, clipScale, step: optimizer.stepCount };
}
