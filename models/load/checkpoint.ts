// A checkpoint = config.json + the tensor directory of model.safetensors (or of the shards listed in
// model.safetensors.index.json, as transformers' save_pretrained writes them). Only headers are fetched on open;
// each tensor is fetched by range when read, so a model never needs twice its size in memory.
import { FormatError, NotFoundError } from './errors';
import { decodeFloats, readHeader, type TensorInfo } from './safetensors';
import type { DownloadProgress, ModelSource } from './source';

export type { DownloadProgress, TensorInfo };

export interface Checkpoint {
  config: Record<string, unknown>;
  names(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  read(name: string): Promise<Float32Array>;
}

export interface OpenCheckpointOptions {
  onProgress?: (p: DownloadProgress) => void;
  /** Weights file or index to use instead of the defaults (e.g. 'adapter_model.safetensors'). */
  weights?: string;
  /** Set false for files without a config.json (adapters); then `config` is {}. */
  requireConfig?: boolean;
}

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export async function openCheckpoint(source: ModelSource, opts: OpenCheckpointOptions = {}): Promise<Checkpoint> {
  const config = await readConfig(source, opts.requireConfig ?? true);
  const tensors = new Map<string, TensorInfo>();
  const weights = opts.weights ?? ((await source.exists(SINGLE_FILE)) ? SINGLE_FILE : INDEX_FILE);
  if (weights.endsWith('.index.json')) {
    const shards = await readIndex(source, weights);
    const headers = await Promise.all([...shards.keys()].map((f) => readHeader(source, f)));
    for (const h of headers) {
      const wanted = shards.get(h.file)!;
      for (const t of h.tensors) {
        if (wanted.has(t.name)) tensors.set(t.name, t);
      }
      for (const name of wanted) {
        if (!tensors.has(name))
          throw new FormatError(`${weights} maps "${name}" to ${h.file}, but that shard has no such tensor`);
      }
    }
  } else {
    for (const t of (await readHeader(source, weights)).tensors) tensors.set(t.name, t);
  }
  return makeCheckpoint({ source, config, tensors, onProgress: opts.onProgress });
}

async function readConfig(source: ModelSource, required: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await source.readText('config.json');
  } catch (e) {
    if (e instanceof NotFoundError && !required) return {};
    throw e;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new FormatError(`config.json of ${source.describe()} is not valid JSON (${(e as Error).message})`);
  }
}

/** weight_map {tensor: shard} → shard → set of tensor names. */
async function readIndex(source: ModelSource, file: string): Promise<Map<string, Set<string>>> {
  let text: string;
  try {
    text = await source.readText(file);
  } catch (e) {
    if (e instanceof NotFoundError)
      throw new NotFoundError(
        `${source.describe()} has neither ${SINGLE_FILE} nor ${INDEX_FILE}. Only safetensors checkpoints are ` +
          `supported (PyTorch .bin files are not: convert them, or pick a repository that ships safetensors).`,
      );
    throw e;
  }
  let map: unknown;
  try {
    map = (JSON.parse(text) as { weight_map?: unknown }).weight_map;
  } catch (e) {
    throw new FormatError(`${file} is not valid JSON (${(e as Error).message})`);
  }
  if (!map || typeof map !== 'object') throw new FormatError(`${file} has no weight_map object`);
  const shards = new Map<string, Set<string>>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string') throw new FormatError(`${file}: weight_map["${name}"] is not a file name`);
    if (!shards.has(shard)) shards.set(shard, new Set());
    shards.get(shard)!.add(name);
  }
  return shards;
}

/** Wraps a tensor directory (also used by the llama2.c loader); progress counts bytes per file and overall. */
export interface MakeCheckpointOptions {
  source: ModelSource;
  config: Record<string, unknown>;
  tensors: Map<string, TensorInfo>;
  onProgress?: (p: DownloadProgress) => void;
  /** Applied to the decoded floats of a tensor (the llama2.c loader permutes q/k rows here). */
  transform?: (name: string, data: Float32Array) => Float32Array;
}

export function makeCheckpoint({ source, config, tensors, onProgress, transform }: MakeCheckpointOptions): Checkpoint {
  const fileTotals = new Map<string, number>();
  for (const t of tensors.values()) fileTotals.set(t.file, (fileTotals.get(t.file) ?? 0) + t.end - t.begin);
  const overallTotal = [...fileTotals.values()].reduce((a, b) => a + b, 0);
  const fileLoaded = new Map<string, number>();
  let overallLoaded = 0;
  const info = (name: string): TensorInfo => {
    const t = tensors.get(name);
    if (!t) throw new NotFoundError(`tensor "${name}" is not in ${source.describe()}`);
    return t;
  };
  return {
    config,
    names: () => [...tensors.keys()],
    has: (name) => tensors.has(name),
    info,
    async read(name) {
      const t = info(name);
      const onBytes = (n: number) => {
        const loaded = (fileLoaded.get(t.file) ?? 0) + n;
        fileLoaded.set(t.file, loaded);
        overallLoaded += n;
        onProgress?.({ file: t.file, loaded, total: fileTotals.get(t.file)!, overallLoaded, overallTotal });
      };
      const bytes = await source.readRange(t.file, t.begin, t.end, { onBytes });
      const data = decodeFloats(bytes, t.dtype, `${t.file}: ${name}`);
      return transform ? transform(name, data) : data;
    },
  };
}
