// The memory estimate before a run (issue 6), as state the page reads: for kinds whose runner checks memory
// (Study B), the bytes the run would need by part and the runner's own verdict, both asked of the lab engine
// (LabApi.modelConfig and .memoryPreview, answered by the very check the runner calls). `fits` is derived, so the
// page's Run button follows it directly. The config comes from the registry or the demo files at once (construct
// this during component setup: it starts that read in an $effect), from the model's host (config.json only) on
// load(). Answers to an older spec, config or row length are dropped.
import { hasLocalConfig } from '../../../models/registry';
import type { LabApi } from '../../../workers/contract/api';
import {
  MIN_CHECK_SEQ_LEN,
  previewsMemory,
  type ConfigOrigin,
  type MemoryPreview,
} from '../../../workers/contract/memory';
import type { ExperimentSpec } from '../../../workers/contract/specs/index';

export interface MemoryEstimateInputs {
  spec: ExperimentSpec | null;
  /** Where the app is served: the demo models' configs are app files. */
  appBaseUrl: string;
  /** Bytes the run may use (default: the runner's budget for this device). */
  budget?: number;
}

/** What the estimate asks of the lab engine. */
export type MemoryEngine = Pick<LabApi, 'modelConfig' | 'memoryPreview'>;

type Loaded = { key: string; config?: Record<string, unknown>; origin?: ConfigOrigin; error?: string };
type Answer = { request: string; preview?: MemoryPreview | null; error?: string };

export class MemoryEstimateState {
  busy = $state(false);
  /** The longest row the estimate assumes, in tokens (the user may raise it). */
  seqLen = $state(MIN_CHECK_SEQ_LEN);
  #loaded = $state.raw<Loaded | null>(null);
  #answer = $state.raw<Answer | null>(null);
  readonly #inputs: () => MemoryEstimateInputs;
  readonly #engine: MemoryEngine;

  /** The spec, when its kind previews memory; null otherwise (then there is nothing to show). */
  readonly trained = $derived.by(() => {
    const { spec } = this.#inputs();
    return spec && previewsMemory(spec) ? spec : null;
  });
  readonly #key = $derived(this.trained ? JSON.stringify(this.trained.model) : '');
  /** The config read for this spec's model (or why it could not be), once read. */
  readonly current = $derived(this.#loaded && this.#loaded.key === this.#key ? this.#loaded : null);
  /** The question for the engine (spec, config, budget, row length) as one string: equal strings, equal answers. */
  readonly #request = $derived.by(() => {
    if (!this.trained || !this.current?.config) return '';
    const seqLen = Math.max(1, Number(this.seqLen) || MIN_CHECK_SEQ_LEN);
    return JSON.stringify({ spec: this.trained, config: this.current.config, budget: this.#inputs().budget, seqLen });
  });
  /** The engine's answer to the current question, once it has come. */
  readonly result = $derived(this.#answer && this.#answer.request === this.#request ? this.#answer : null);
  readonly preview = $derived(this.result?.preview ?? null);
  /** Only a computed verdict blocks Run; without one the runner still checks when it starts. */
  readonly fits = $derived(this.preview ? this.preview.check.fits : true);

  constructor(inputs: () => MemoryEstimateInputs, engine: MemoryEngine) {
    this.#inputs = inputs;
    this.#engine = engine;
    // Local configs (registry shape, demo files) are read at once; a host is asked only through load().
    $effect(() => {
      if (this.trained && !this.current && !this.busy && hasLocalConfig(this.trained.model)) void this.load();
    });
    // Each new question goes to the engine (I/O: an effect); the answer is kept with the question it answers.
    $effect(() => {
      const request = this.#request;
      if (!request) return;
      this.#engine.memoryPreview(JSON.parse(request)).then(
        (preview) => (this.#answer = { request, preview }),
        (e: Error) => (this.#answer = { request, error: e.message }),
      );
    });
  }

  /** Reads the model's config (from its host unless it is local); a spec changed meanwhile discards the answer. */
  async load(): Promise<void> {
    if (!this.trained) return;
    const key = this.#key;
    this.busy = true;
    try {
      const got = await this.#engine.modelConfig({ ref: JSON.parse(key), appBaseUrl: this.#inputs().appBaseUrl });
      if (key === this.#key) this.#loaded = { key, ...got };
    } catch (e) {
      if (key === this.#key) this.#loaded = { key, error: (e as Error).message };
    } finally {
      this.busy = false;
    }
  }
}
