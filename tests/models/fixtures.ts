// Discovery and reading of the Hugging Face reference fixtures (../shared/fixtures, schema in its README).
// Tests iterate over every fixture set found, so nothing from one particular file is built into the code:
// STEREOSCOPE_FIXTURES may name more roots (colon-separated) holding other seeds, shapes and padding.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shared } from '../helpers/shared';

export interface RefTensor {
  dtype: string;
  shape: number[];
  data: number[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Reference = any;

export interface Fixture {
  dir: string;
  name: string;
  ref: Reference;
}

const DEFAULT_ROOT = shared('fixtures');

export function fixtureRoots(): string[] {
  const extra = (process.env.STEREOSCOPE_FIXTURES ?? '').split(':').filter(Boolean);
  return [DEFAULT_ROOT, ...extra];
}

export function fixtures(hfClass: string): Fixture[] {
  const found: Fixture[] = [];
  for (const root of fixtureRoots()) {
    if (!existsSync(root)) throw new Error(`fixture root ${root} does not exist`);
    for (const name of readdirSync(root)) {
      const file = join(root, name, 'reference.json');
      if (!existsSync(file)) continue;
      const ref = JSON.parse(readFileSync(file, 'utf8'));
      if (ref.hf_class === hfClass) found.push({ dir: join(root, name), name: `${root}/${name}`, ref });
    }
  }
  if (!found.length) throw new Error(`no ${hfClass} fixture found under ${fixtureRoots().join(', ')}`);
  return found;
}

/** Positions [b, t] whose values are compared (the README: attention_mask == 1 is enough). */
export function maskedIndices(shape: number[], keep: (b: number, t: number) => boolean): number[] {
  const [B, T] = shape;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const idx: number[] = [];
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) if (keep(b, t)) for (let i = 0; i < inner; i++) idx.push((b * T + t) * inner + i);
  return idx;
}

export function pick(data: ArrayLike<number>, idx: number[]): number[] {
  return idx.map((i) => data[i]);
}
