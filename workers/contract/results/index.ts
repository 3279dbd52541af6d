// Every result the engine returns, as one union discriminated by `kind` (views narrow on it, no casts).
import type { EmotionProfilesResult } from './emotion-profiles';
import type { EngineCheckResult } from './engine-check';
import type { GeoUnlearningResult } from './geo-unlearning';

export type { ResultBase, ResultTable } from './base';
export type { EmotionProfilesResult, EngineCheckResult, GeoUnlearningResult };

export type ExperimentResult = EngineCheckResult | EmotionProfilesResult | GeoUnlearningResult;
