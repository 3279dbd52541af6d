// The benchmark's case list. Add a case family as a file in this folder and append it here.
import type { BenchCase } from '../lib/types';
import { cpuBackendCases } from './cpu-backend';
import { decodeCases } from './decode';
import { encoderCases } from './encoder';
import { linearCases } from './linear';
import { matmulCases } from './matmul';
import { memoryCases } from './memory';
import { normCases } from './norms';
import { studyAProfileCases } from './study-a-profile';

export const cases: BenchCase[] = [...matmulCases, ...linearCases, ...normCases, ...encoderCases, ...cpuBackendCases, ...decodeCases, ...memoryCases, ...studyAProfileCases];
