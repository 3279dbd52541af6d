// Filtering and selection on the runs page: text, kind and status filters; up to two runs selected to compare.
import type { RunRecord } from '../../../workers/contract/run-bundle';

export class RunsFilter {
  text = $state('');
  kind = $state('');
  status = $state('');
  selected = $state<string[]>([]);

  apply(runs: readonly RunRecord[]): RunRecord[] {
    const t = this.text.trim().toLowerCase();
    return runs.filter(
      (r) =>
        (!this.kind || r.kind === this.kind) &&
        (!this.status || r.status === this.status) &&
        (!t ||
          r.title.toLowerCase().includes(t) ||
          r.id.includes(t) ||
          (r.result?.summary ?? '').toLowerCase().includes(t)),
    );
  }

  toggle(id: string): void {
    this.selected = this.selected.includes(id)
      ? this.selected.filter((x) => x !== id)
      : [...this.selected, id].slice(-2);
  }
}
