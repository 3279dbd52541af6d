// Reading and writing one field of a spec's JSON by path, and valibot's issues grouped by the field they belong
// to, so the form can show each message beside its control.
import * as v from 'valibot';

export type Path = readonly (string | number)[];

export function dotPath(path: Path): string {
  return path.join('.');
}

export function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** A copy of `root` with the value at `path` replaced (undefined removes the key); missing parents are created. */
export function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [k, ...rest] = path;
  const base = root !== null && typeof root === 'object' ? root : typeof k === 'number' ? [] : {};
  const copy = (Array.isArray(base) ? [...base] : { ...(base as object) }) as Record<string | number, unknown>;
  const next = setAt(copy[k], rest, value);
  if (next === undefined && !Array.isArray(copy)) delete copy[k];
  else copy[k] = next;
  return copy;
}

/** Validation messages per field dot path ('' = the spec as a whole). */
export function issuesByPath(schema: v.GenericSchema, value: unknown): Record<string, string[]> {
  const r = v.safeParse(schema, value);
  const out: Record<string, string[]> = {};
  if (r.success) return out;
  for (const issue of r.issues) {
    const at = v.getDotPath(issue) ?? '';
    (out[at] ??= []).push(issue.message);
  }
  return out;
}
