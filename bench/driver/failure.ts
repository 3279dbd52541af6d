// How a bench run ends early: the driver prints the message (where, then what) and exits with code 1.

/** A bench run that ended early; its message says where (startup, which case) and what happened. */
export class BenchFailure extends Error {}
