// Folds the worker's progress events into the run's progress record (with an ETA from the step rate of the
// current phase) and buffers metric points until the next storage flush.
import type { ProgressEvent } from '../../../workers/contract/progress';
import type { RunProgress } from '../../../workers/contract/run-bundle';

export class ProgressTracker {
  progress: RunProgress = { phase: 'starting', step: 0, total: 0 };
  pending = new Map<string, [number, number][]>();
  private phaseStart = performance.now();

  apply(ev: ProgressEvent): void {
    const p = { ...this.progress };
    switch (ev.type) {
      case 'phase':
        Object.assign(p, { phase: ev.label, step: 0, total: 0, eta: undefined });
        this.phaseStart = performance.now();
        break;
      case 'step': {
        const elapsed = (performance.now() - this.phaseStart) / 1000;
        p.step = ev.step;
        p.total = ev.total;
        p.eta = ev.step > 0 ? (elapsed / ev.step) * Math.max(0, ev.total - ev.step) : undefined;
        break;
      }
      case 'download':
        p.downloaded = ev.loaded;
        p.downloadTotal = ev.total;
        break;
      case 'tokens':
        p.tokens = ev.tokens;
        break;
      case 'metric': {
        const list = this.pending.get(ev.name) ?? [];
        list.push([ev.step, ev.value]);
        this.pending.set(ev.name, list);
        break;
      }
      case 'log':
        break;
    }
    this.progress = p;
  }

  /** The buffered metric points, handed over once. */
  takePending(): Map<string, [number, number][]> {
    const out = this.pending;
    this.pending = new Map();
    return out;
  }
}
