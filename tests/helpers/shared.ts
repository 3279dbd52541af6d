// Where the read-only shared material lives (fixtures, the stories260K model, open data sets): `../shared` beside
// the repository, as on the development machines and in CI; STEREOSCOPE_SHARED points elsewhere.
import { resolve } from 'node:path';

export const SHARED = process.env.STEREOSCOPE_SHARED ?? resolve(__dirname, '../../../shared');

export function shared(...parts: string[]): string {
  return resolve(SHARED, ...parts);
}
