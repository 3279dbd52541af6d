// What every field of the spec form shares: the spec's JSON (live), valibot's messages by path, and one way to
// write a value back. Passed down as a prop so the recursive field components stay plain.
import { dotPath, getAt, type Path } from './form-path';

export interface FormContext {
  readonly root: unknown;
  readonly issues: Record<string, string[]>;
  set(path: Path, value: unknown): void;
}

export function valueAt(ctx: FormContext, path: Path): unknown {
  return getAt(ctx.root, path);
}

export function issuesAt(ctx: FormContext, path: Path): string[] {
  return ctx.issues[dotPath(path)] ?? [];
}

/** A DOM id for a field (paths are unique within a form). */
export function fieldId(path: Path): string {
  return `f-${path.map((p) => String(p).replace(/[^\w-]/g, '_')).join('-') || 'root'}`;
}
