// The spec being edited on an experiment page. The JSON text is the one source of truth: the JSON editor edits it
// directly, the per-field form (components/spec-form) reads `json` and writes whole values back with setJson.
import {
  demoSpec,
  parseSpec,
  specHosts,
  type ExperimentKind,
  type ExperimentSpec,
} from '../../../workers/contract/specs/index';

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

  /** The text as JSON, or undefined while it is not valid JSON (the form then asks to fix the JSON first). */
  json = $derived.by((): unknown => {
    try {
      return JSON.parse(this.text);
    } catch {
      return undefined;
    }
  });

  parsed = $derived.by((): { spec: ExperimentSpec; error: null } | { spec: null; error: string } => {
    try {
      const spec = parseSpec(JSON.parse(this.text));
      if (spec.kind !== this.kind)
        return { spec: null, error: `This page edits ${this.kind} specs; the text is a ${spec.kind} spec.` };
      return { spec, error: null };
    } catch (e) {
      return { spec: null, error: e instanceof SyntaxError ? `Not valid JSON: ${e.message}` : (e as Error).message };
    }
  });

  hosts = $derived(this.parsed.spec ? specHosts(this.parsed.spec) : []);

  /** Replaces the spec with an edited value, serialised as the JSON view shows it. */
  setJson(value: unknown): void {
    this.text = JSON.stringify(value, null, 2);
  }

  reset(): void {
    this.text = JSON.stringify(demoSpec(this.kind), null, 2);
  }
}
