// Learning-rate schedules with the semantics of Hugging Face transformers' optimization.py:
// get_constant_schedule, get_constant_schedule_with_warmup, get_linear_schedule_with_warmup and
// get_cosine_schedule_with_warmup. `lrAt(step)` takes the number of optimizer updates already done (LambdaLR's
// last_epoch), so with warmup the very first update uses lr 0, exactly as a transformers Trainer does.

export interface Schedule {
  lrAt(step: number): number;
}

export type ScheduleSpec =
  | { kind: 'constant'; lr: number }
  | { kind: 'constant-with-warmup'; lr: number; warmupSteps: number }
  | { kind: 'linear'; lr: number; warmupSteps: number; totalSteps: number }
  | { kind: 'cosine'; lr: number; warmupSteps: number; totalSteps: number; numCycles?: number };

const warmup = (step: number, warmupSteps: number) => step / Math.max(1, warmupSteps);

export function constantSchedule({ lr }: { lr: number }): Schedule {
  return { lrAt: () => lr };
}

export function constantScheduleWithWarmup({ lr, warmupSteps }: { lr: number; warmupSteps: number }): Schedule {
  return { lrAt: (step) => lr * (step < warmupSteps ? warmup(step, warmupSteps) : 1) };
}

export function linearScheduleWithWarmup({
  lr,
  warmupSteps,
  totalSteps,
}: {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
}): Schedule {
  return {
    lrAt: (step) =>
      lr *
      (step < warmupSteps
        ? warmup(step, warmupSteps)
        : Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps))),
  };
}

/** numCycles 0.5 (the default) is a half cosine from lr down to 0 over the steps after warmup. */
export function cosineScheduleWithWarmup({
  lr,
  warmupSteps,
  totalSteps,
  numCycles = 0.5,
}: {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  numCycles?: number;
}): Schedule {
  return {
    lrAt(step) {
      if (step < warmupSteps) return lr * warmup(step, warmupSteps);
      const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
      return lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
    },
  };
}

export function makeSchedule(spec: ScheduleSpec): Schedule {
  switch (spec.kind) {
    case 'constant':
      return constantSchedule(spec);
    case 'constant-with-warmup':
      return constantScheduleWithWarmup(spec);
    case 'linear':
      return linearScheduleWithWarmup(spec);
    case 'cosine':
      return cosineScheduleWithWarmup(spec);
  }
}
