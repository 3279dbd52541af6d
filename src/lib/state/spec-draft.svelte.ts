// The spec being edited on an experiment page, as JSON text, validated on every change with the shared schema.
import { demoSpec, parseSpec, specHosts, type ExperimentKind, type ExperimentSpec } from '../../../workers/experiments/specs/index';

/** A spec handed over from a share link to the editor ("Edit before running"). */
let handedOver: ExperimentSpec | null = null;
export function handOverSpec(spec: ExperimentSpec): void {
  handedOver = spec;
}

export class SpecDraft {
  text = $state('');
  readonly kind: ExperimentKind;

  constructor(kind: ExperimentKind) {
    this.kind = kind;
    const start = handedOver?.kind === kind ? handedOver : demoSpec(kind);
    handedOver = null;
    this.text = JSON.stringify(start, null, 2);
  }

  parsed = $derived.by((): { spec: ExperimentSpec; error: null } | { spec: null; error: string } => {
    try {
      const spec = parseSpec(JSON.parse(this.text));
      if (spec.kind !== this.kind) return { spec: null, error: `This page edits ${this.kind} specs; the text is a ${spec.kind} spec.` };
      return { spec, error: null };
    } catch (e) {
      return { spec: null, error: e instanceof SyntaxError ? `Not valid JSON: ${e.message}` : (e as Error).message };
    }
  });

  hosts = $derived(this.parsed.spec ? specHosts(this.parsed.spec) : []);

  reset(): void {
    this.text = JSON.stringify(demoSpec(this.kind), null, 2);
  }
}
