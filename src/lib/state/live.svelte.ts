// A reactive view of a dexie liveQuery: construct it during component setup; it subscribes in an $effect and
// unsubscribes when the component goes away. Results are $state.raw (they can be large).
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
          this.loaded = true;
        },
        error: (e: Error) => (this.error = e.message),
      });
      return () => sub.unsubscribe();
    });
  }
}
