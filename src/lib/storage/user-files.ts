// Files the user picked for `{from:'file'}` data sources (e.g. their own copy of the NRC lexicon), kept in
// IndexedDB under the name specs refer to. They are the user's: share links carry only the name (and
// optionally the sha256), and nothing here is ever added to an exported bundle.
import { liveQuery, type Observable } from 'dexie';
import { sha256Hex } from '../../../workers/contract/sha256';
import { fillLang, hasLangSlot } from '../../../workers/contract/specs/common';
import { LabDb, type UserFileRow } from './db';
import { guard } from './errors';
import { RunsRepo } from './runs-repo';

/**
 * Prefix of the key under which a runner asks the host for a picked file (`ctx.checkpoints.load`). Must equal
 * `userFileKey` of workers/experiments/study-a/sources.ts (a unit test holds them together); repeated here so the
 * main thread does not import the runners' loading code.
 */
export const USER_FILE_KEY_PREFIX = 'file/';

/** Largest file we store (IndexedDB copes, but a student's laptop may not): the NRC lexicon is about 25 MB. */
export const MAX_USER_FILE_BYTES = 512 * 1024 * 1024;

export type UserFileInfo = Omit<UserFileRow, 'bytes'>;

/** A file source a spec names, where it sits in the spec, and whether the stored file can serve it. */
export interface FileNeed {
  path: string;
  name: string;
  sha256?: string;
  status: 'ok' | 'missing' | 'mismatch';
  /** sha256 of the stored file when it does not match the spec's. */
  actual?: string;
}

export class UserFileError extends Error {
  override readonly name = 'UserFileError';
}

export class UserFilesRepo {
  constructor(readonly db: LabDb = new LabDb()) {}

  /** Stores (or replaces) a file under its name; one transaction, so a failure leaves the old copy intact. */
  async add(file: { name: string; type?: string; bytes: Uint8Array }): Promise<UserFileInfo> {
    const name = file.name.trim();
    if (!name) throw new UserFileError('The file has no name; rename it and pick it again.');
    if (name.length > 255)
      throw new UserFileError(`The file name is ${name.length} characters long; specs allow at most 255.`);
    if (file.bytes.byteLength > MAX_USER_FILE_BYTES)
      throw new UserFileError(
        `"${name}" is ${formatBytes(file.bytes.byteLength)}; the lab stores files up to ${formatBytes(MAX_USER_FILE_BYTES)}.`,
      );
    const row: UserFileRow = {
      name,
      size: file.bytes.byteLength,
      sha256: await sha256Hex(file.bytes),
      type: file.type ?? '',
      bytes: file.bytes,
      addedAt: Date.now(),
    };
    await guard(`the file "${name}"`, () =>
      this.db.transaction('rw', this.db.userFiles, async () => void (await this.db.userFiles.put(row))),
    );
    const { bytes: _b, ...info } = row;
    return info;
  }

  async addFile(file: File): Promise<UserFileInfo> {
    return this.add({ name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) });
  }

  get(name: string): Promise<UserFileRow | undefined> {
    return this.db.userFiles.get(name);
  }

  /** Name, size, hash and type of every stored file (without their bytes), newest first. */
  async list(): Promise<UserFileInfo[]> {
    const rows: UserFileInfo[] = [];
    await this.db.userFiles
      .orderBy('addedAt')
      .reverse()
      .each(({ bytes: _b, ...info }) => void rows.push(info));
    return rows;
  }

  watchList(): Observable<UserFileInfo[]> {
    return liveQuery(() => this.list());
  }

  remove(name: string): Promise<void> {
    return this.db.userFiles.delete(name);
  }

  /** For every file source in the spec: is the file stored, and does it match the spec's sha256 when given? */
  async needs(spec: unknown): Promise<FileNeed[]> {
    const out: FileNeed[] = [];
    for (const src of fileSources(spec)) {
      const row = await this.get(src.name);
      if (!row) out.push({ ...src, status: 'missing' });
      else if (src.sha256 && row.sha256 !== src.sha256) out.push({ ...src, status: 'mismatch', actual: row.sha256 });
      else out.push({ ...src, status: 'ok' });
    }
    return out;
  }

  watchNeeds(spec: unknown): Observable<FileNeed[]> {
    return liveQuery(() => this.needs(spec));
  }

  /**
   * The bytes a runner asked for under `file/<name>` while running `spec`, or null for other keys. The spec's
   * sha256 (pinned when the run started) is checked, so a file replaced since then is refused, not used silently.
   */
  async loadForRun(key: string, spec: unknown): Promise<Uint8Array | null> {
    if (!key.startsWith(USER_FILE_KEY_PREFIX)) return null;
    const name = key.slice(USER_FILE_KEY_PREFIX.length);
    const row = await this.get(name);
    if (!row) return null;
    const want = fileSources(spec).find((s) => s.name === name)?.sha256;
    if (want && row.sha256 !== want)
      throw new UserFileError(
        `The stored "${name}" is not the file this run was started with (sha256 ${row.sha256.slice(0, 12)}…, expected ${want.slice(0, 12)}…). Pick the original file.`,
      );
    return row.bytes;
  }

  /** The spec with the sha256 of each stored file written into its file sources, so the run records which file it used. */
  async pinHashes<T>(spec: T): Promise<T> {
    const copy = structuredClone(spec);
    for (const src of fileSources(copy)) {
      const row = await this.get(src.name);
      if (row && !src.sha256) src.pin(row.sha256);
    }
    return copy;
  }
}

/**
 * The runs repository whose artifact loader also serves picked files: a runner asks its host for
 * `file/<name>` (ctx.checkpoints.load), the lab client asks this repository, and the file comes from the user's
 * store, checked against the sha256 the run's spec pinned. Never copied into the run, so never exported with it.
 */
export class RunsRepoWithFiles extends RunsRepo {
  constructor(
    db: LabDb,
    readonly files: UserFilesRepo = new UserFilesRepo(db),
  ) {
    super(db);
  }

  override async loadArtifact(runId: string, key: string): Promise<Uint8Array | null> {
    const own = await super.loadArtifact(runId, key);
    if (own || !key.startsWith(USER_FILE_KEY_PREFIX)) return own;
    return this.files.loadForRun(key, (await this.get(runId))?.spec);
  }
}

/**
 * Every file a spec's `{from:'file', name}` objects name (any depth), with its dot path and a way to pin its sha256
 * into the spec. A name with `{lang}` names one file per language of the spec's `languages` (e.g. Study B's MCQ
 * set): each is listed as `<path> (<lang>)` with that language's sha256.
 */
export function fileSources(
  spec: unknown,
  path = '',
  root: unknown = spec,
): { path: string; name: string; sha256?: string; pin(sha256: string): void }[] {
  if (spec === null || typeof spec !== 'object') return [];
  const o = spec as Record<string, unknown>;
  if (o.from === 'file' && typeof o.name === 'string') {
    const name = o.name;
    if (!hasLangSlot(name))
      return [
        { path, name, sha256: typeof o.sha256 === 'string' ? o.sha256 : undefined, pin: (h) => void (o.sha256 = h) },
      ];
    const languages = (root as { languages?: unknown }).languages;
    const pins = () => (o.sha256 && typeof o.sha256 === 'object' ? (o.sha256 as Record<string, string>) : {});
    return (Array.isArray(languages) ? languages.filter((l): l is string => typeof l === 'string') : []).map((l) => ({
      path: `${path} (${l})`,
      name: fillLang(name, l),
      sha256: pins()[l],
      pin: (h: string) => void (o.sha256 = { ...pins(), [l]: h }),
    }));
  }
  return Object.entries(o).flatMap(([k, v]) => fileSources(v, path ? `${path}.${k}` : k, root));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let x = n / 1024;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(x < 10 ? 1 : 0)} ${units[i]}`;
}
