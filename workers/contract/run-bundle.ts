// A run as stored and exported: the record (spec, status, result), its metric series and artifacts. The browser
// keeps these in IndexedDB and exports them as a JSON bundle; the CLI writes the same bundle, so a headless run
// can be imported into the app. Bundles are validated on import: corrupt or future-version files are refused.
import * as v from 'valibot';
import type { RunErrorInfo } from './api';
import { parseSpec, SpecError, type ExperimentSpec } from './specs/index';

import type { ExperimentResult } from './results/index';
import { formatCsv } from './csv';

export const BUNDLE_FORMAT = 'stereoscope-run';
export const BUNDLE_VERSION = 1;

export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface RunProgress {
  phase: string;
  step: number;
  total: number;
  /** Seconds left, estimated from the step rate. */
  eta?: number;
  downloaded?: number;
  downloadTotal?: number;
  tokens?: number;
}

export interface RunRecord {
  id: string;
  kind: string;
  title: string;
  spec: ExperimentSpec;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  host: 'browser' | 'node';
  device?: string;
  progress?: RunProgress;
  error?: RunErrorInfo;
  result?: ExperimentResult;
}

export interface MetricSeries {
  name: string;
  /** [step, value] pairs in step order. */
  points: [number, number][];
}

export interface ArtifactRecord {
  key: string;
  /** checkpoint (resume state), adapter (PEFT safetensors), profile, other. */
  type: 'checkpoint' | 'adapter' | 'profile' | 'other';
  bytes: Uint8Array;
}

export interface RunBundle {
  format: typeof BUNDLE_FORMAT;
  version: number;
  exportedAt: number;
  run: RunRecord;
  series: MetricSeries[];
  artifacts: { key: string; type: ArtifactRecord['type']; base64: string }[];
}

const Num = v.pipe(v.number(), v.finite());
const Table = v.object({
  columns: v.array(v.string()),
  rows: v.array(v.array(v.nullable(v.union([v.string(), v.number()])))),
});
const BundleSchema = v.object({
  format: v.literal(BUNDLE_FORMAT),
  version: v.literal(BUNDLE_VERSION),
  exportedAt: Num,
  run: v.object({
    id: v.pipe(v.string(), v.regex(/^[\w-]{1,64}$/)),
    kind: v.string(),
    title: v.pipe(v.string(), v.maxLength(300)),
    spec: v.unknown(),
    status: v.picklist(['queued', 'running', 'done', 'failed', 'cancelled']),
    createdAt: Num,
    updatedAt: Num,
    host: v.picklist(['browser', 'node']),
    device: v.optional(v.string()),
    progress: v.optional(v.object({ phase: v.string(), step: Num, total: Num, eta: v.optional(Num) })),
    error: v.optional(
      v.object({ name: v.string(), message: v.string(), cause: v.optional(v.string()), resumable: v.boolean() }),
    ),
    result: v.optional(v.looseObject({ kind: v.string(), summary: v.string(), tables: v.record(v.string(), Table) })),
  }),
  series: v.array(v.object({ name: v.string(), points: v.array(v.tuple([Num, Num])) })),
  artifacts: v.array(
    v.object({
      key: v.string(),
      type: v.picklist(['checkpoint', 'adapter', 'profile', 'other']),
      base64: v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/)),
    }),
  ),
});

export class BundleError extends Error {
  override readonly name = 'BundleError';
}

export function makeBundle(run: RunRecord, series: MetricSeries[], artifacts: ArtifactRecord[]): RunBundle {
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: Date.now(),
    run,
    series,
    artifacts: artifacts.map((a) => ({ key: a.key, type: a.type, base64: bytesToBase64(a.bytes) })),
  };
}

/** Validate an imported bundle (already JSON-parsed); throws BundleError with a message for the user. */
export function readBundle(input: unknown): { run: RunRecord; series: MetricSeries[]; artifacts: ArtifactRecord[] } {
  if (typeof input !== 'object' || input === null)
    throw new BundleError('This file is not a Stereoscope run bundle (not a JSON object).');
  const { format, version } = input as { format?: unknown; version?: unknown };
  if (format !== BUNDLE_FORMAT)
    throw new BundleError('This file is not a Stereoscope run bundle (its "format" field is missing or different).');
  if (typeof version === 'number' && version > BUNDLE_VERSION)
    throw new BundleError(
      `This bundle was written by a newer version of Stereoscope (bundle version ${version}; this app reads up to ${BUNDLE_VERSION}).`,
    );
  const r = v.safeParse(BundleSchema, input);
  if (!r.success) {
    const where = r.issues.slice(0, 3).map((i) => `${v.getDotPath(i) ?? '(bundle)'}: ${i.message}`);
    throw new BundleError(`The bundle is corrupt:\n${where.join('\n')}`);
  }
  let spec: ExperimentSpec;
  try {
    spec = parseSpec(r.output.run.spec);
  } catch (e) {
    throw new BundleError(`The bundle's spec is not usable: ${(e as SpecError).message}`);
  }
  // The views narrow a result on its kind, so a result of another kind than its spec would be read as the wrong shape.
  const result = r.output.run.result;
  if (result && result.kind !== spec.kind)
    throw new BundleError(
      `The bundle is corrupt: its result is of kind "${result.kind}" but its spec is "${spec.kind}".`,
    );
  const artifacts = r.output.artifacts.map((a) => {
    try {
      return { key: a.key, type: a.type, bytes: base64ToBytes(a.base64) };
    } catch {
      throw new BundleError(`The bundle is corrupt: artifact ${a.key} is not valid base64.`);
    }
  });
  const run = { ...r.output.run, spec } as RunRecord;
  return { run, series: r.output.series as MetricSeries[], artifacts };
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function base64ToBytes(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A table as RFC 4180 CSV (quotes where needed, CRLF line ends, text cells guarded against formula injection). */
export function tableToCsv(table: { columns: string[]; rows: (string | number | null)[][] }): string {
  return formatCsv([table.columns, ...table.rows], { lineEnd: '\r\n' });
}

/** A short random id, sortable by creation time. */
export function newRunId(now = Date.now()): string {
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${now.toString(36)}-${rand}`;
}
