// Storage on the models page: the model registry (models/registry.ts) with each model's files in this browser's
// model cache (listed and deleted by the lab engine: models/load/browser-cache.ts), other cached model files, what runs and artifacts take in IndexedDB,
// the browser's storage estimate and persistence. Refreshed on demand; every browser refusal becomes a message.
import type { CachedModelEntry, LabApi } from '../../../workers/contract/api';
import { MODEL_REGISTRY, findModel, type RegistryModel } from '../../../models/registry';
import type { RunsRepo } from '../storage/runs-repo';

export interface ModelRow {
  model: RegistryModel;
  /** Cache entries of this model (one per revision), empty when nothing is downloaded. */
  cached: CachedModelEntry[];
  cachedBytes: number;
}

/** Where the cached model files are listed and deleted: the lab engine's model cache. */
export type ModelCache = Pick<LabApi, 'cachedModels' | 'deleteCachedModel'>;

/** Which storage manager to ask (null: the browser has none); the real one by default. */
export interface StorageEnv {
  storage?: Pick<StorageManager, 'estimate' | 'persist' | 'persisted'> | null;
}

export class StorageInfo {
  estimate = $state.raw<{ usage: number; quota: number } | null>(null);
  persisted = $state<boolean | null>(null);
  cached = $state.raw<CachedModelEntry[]>([]);
  runs = $state.raw<{ count: number; artifactBytes: number }>({ count: 0, artifactBytes: 0 });
  message = $state('');
  /** True while the last message reports a refusal or a failure (shown as a warning). */
  problem = $state(false);

  constructor(
    private readonly repo: RunsRepo,
    private readonly cache: ModelCache,
    private readonly env: StorageEnv = {},
  ) {}

  private get storage(): StorageEnv['storage'] {
    if (this.env.storage !== undefined) return this.env.storage;
    return typeof navigator !== 'undefined' ? (navigator.storage ?? null) : null;
  }

  /** The registry with cache status, in registry order. */
  get rows(): ModelRow[] {
    return MODEL_REGISTRY.map((model) => {
      const cached = this.cached.filter((c) => findModel(c.id)?.id === model.id);
      return { model, cached, cachedBytes: cached.reduce((s, c) => s + c.bytes, 0) };
    });
  }

  /** Cached files of models the registry does not list (any Hub id can be put in a spec). */
  get others(): CachedModelEntry[] {
    return this.cached.filter((c) => !findModel(c.id));
  }

  async refresh(): Promise<void> {
    const s = this.storage;
    try {
      if (s?.estimate) {
        const e = await s.estimate();
        this.estimate = { usage: e.usage ?? 0, quota: e.quota ?? 0 };
      }
      this.persisted = s?.persisted ? await s.persisted() : null;
    } catch (e) {
      this.#say(
        `This browser would not report its storage (${(e as Error).message}); private windows often refuse.`,
        true,
      );
    }
    this.cached = await this.cache.cachedModels().catch((e: Error) => {
      this.#say(`Cannot read the model cache: ${e.message}`, true);
      return [];
    });
    let artifactBytes = 0;
    await this.repo.db.artifacts.each((a) => (artifactBytes += a.size));
    this.runs = { count: await this.repo.db.runs.count(), artifactBytes };
  }

  async persist(): Promise<void> {
    const s = this.storage;
    if (!s?.persist) {
      this.persisted = null;
      return this.#say(
        'This browser has no way to make storage persistent: the lab’s data may be evicted when space runs low.',
        true,
      );
    }
    let ok = false;
    try {
      ok = await s.persist();
    } catch (e) {
      return this.#say(
        `The browser refused persistent storage with an error (${(e as Error).message}). Data may be evicted when space runs low.`,
        true,
      );
    }
    this.persisted = ok;
    if (ok) this.#say('Storage is persistent: the browser will not evict the lab’s data to free space.', false);
    else
      this.#say(
        'The browser declined persistent storage (private windows always do; Chrome grants it to sites you use often or have bookmarked). Runs and downloaded models stay for now but may be evicted when space runs low: export runs you want to keep.',
        true,
      );
  }

  async remove(entry: CachedModelEntry): Promise<void> {
    try {
      await this.cache.deleteCachedModel(entry);
      this.#say(`Deleted the cached files of ${entry.id}.`, false);
    } catch (e) {
      this.#say(`Could not delete the files of ${entry.id}: ${(e as Error).message}`, true);
    }
    await this.refresh();
  }

  #say(message: string, problem: boolean): void {
    this.message = message;
    this.problem = problem;
  }
}
