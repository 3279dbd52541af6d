// The files a spec names that this browser must provide before it can run, as state the page reads: each with its
// status (stored, missing, different content than the spec's sha256), re-checked whenever the stored files change
// (picked or removed here or in another tab). Construct during component setup (it subscribes through Live).
import { userFiles } from './app';
import { Live } from './live.svelte';
import type { FileNeed } from '../storage/user-files';

export class FileNeedsState {
  readonly #live: Live<FileNeed[] | null>;
  /** True once every named file is stored and matches: the page's Run button follows it. */
  readonly ready = $derived.by(() => this.list !== null && this.list.every((n) => n.status === 'ok'));

  constructor(spec: () => unknown) {
    this.#live = new Live(() => userFiles.watchNeeds(spec()), null);
  }

  /** The needs, or null until the first check has answered. */
  get list(): FileNeed[] | null {
    return this.#live.value;
  }

  get error(): string | null {
    return this.#live.error;
  }
}
