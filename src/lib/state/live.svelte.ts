// A reactive view of a dexie liveQuery: construct it during component setup; it subscribes in an $effect and
// unsubscribes when the component goes away (and resubscribes when what `query` reads changes). Results are
// $state.raw (they can be large); a value after an error clears the error.
import type { Observable } from 'dexie';

export class Live<T> {
  value = $state.raw<T>() as T;
  error = $state<string | null>(null);
  loaded = $state(false);

  constructor(query: () => Observable<T>, initial: T) {
    this.value = initial;
    $effect(() => {
      const sub = query().subscribe({
        next: (v) => {
          this.value = v;
          this.error = null;
          this.loaded = true;
        },
        error: (e: Error) => (this.error = e.message),
      });
      return () => sub.unsubscribe();
    });
  }
}
