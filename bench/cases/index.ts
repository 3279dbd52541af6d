// The benchmark's case list. Add a case family as a file in this folder exporting `(scale) => BenchCase[]` (its
// shapes for the table, and small ones for --quick) and append it here.
import type { BenchCase, BenchScale } from '../lib/types';
import { cpuBackendCases } from './cpu-backend';
import { decodeCases } from './decode';
import { encoderCases } from './encoder';
import { linearCases } from './linear';
import { matmulCases } from './matmul';
import { memoryCases } from './memory';
import { normCases } from './norms';
import { studyAProfileCases } from './study-a-profile';

export function benchCases(scale: BenchScale): BenchCase[] {
  return [
    matmulCases,
    linearCases,
    normCases,
    encoderCases,
    cpuBackendCases,
    decodeCases,
    memoryCases,
    studyAProfileCases,
  ].flatMap((family) => family(scale));
}
