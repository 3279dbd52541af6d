// Typed errors of the GPU layer, so callers can act on them (resume a run, show a message) instead of hanging.

/** The GPU device was lost (driver reset, tab backgrounded too long, device.destroy()). */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(`GPU device lost (${reason}): ${message || 'no message'}`);
  }
}

/** A validation or out-of-memory error reported by WebGPU for work we submitted. */
export class GpuError extends Error {
  override readonly name = 'GpuError';
  constructor(
    readonly kind: 'validation' | 'out-of-memory' | 'internal',
    message: string,
  ) {
    super(`WebGPU ${kind} error: ${message}`);
  }
}

/** Shapes or dtypes handed to a kernel that it cannot take. Thrown before anything is dispatched. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new ShapeError(typeof message === 'string' ? message : message());
}
