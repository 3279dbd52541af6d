// The benchmark's case list. Add a case family as a file in this folder and append it here.
import type { BenchCase } from '../lib/types';
import { linearCases } from './linear';
import { matmulCases } from './matmul';
import { normCases } from './norms';

export const cases: BenchCase[] = [...matmulCases, ...linearCases, ...normCases];
