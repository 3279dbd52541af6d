// MLM fine-tuning data for Study A (methods.md A.4): the 15% masking with the 80/10/10 rule of Hugging Face's
// DataCollatorForLanguageModeling, as a pure function over token ids driven by a seeded RNG.
import { randIndex, type Rng } from '../shared/rng';

export interface MaskingOptions {
  ids: readonly number[];
  /** True where the token must never be masked (special tokens and padding). */
  special: readonly boolean[];
  maskTokenId: number;
  /** Random replacements are drawn uniformly from [0, vocabSize), special ids included, as the collator does. */
  vocabSize: number;
  rng: Rng;
  /** Selection probability (mlm_probability), 0.15 by default. */
  probability?: number;
}

export interface MaskedExample {
  inputIds: number[];
  /** Original id at selected positions, −100 elsewhere (ignored by the loss). */
  labels: number[];
}

/**
 * Per position, in order: selected with p = 0.15 unless special; a selected token becomes <mask> with p = 0.8,
 * otherwise a random token with p = 0.5 (10% overall), otherwise stays (10%). Labels keep the original id at
 * selected positions. The draws per position are made in the same logical order as the collator's three
 * Bernoulli matrices, though not from torch's generator, so exact ids differ from a PyTorch run.
 */
export function maskForMlm(options: MaskingOptions): MaskedExample {
  const { ids, special, rng } = options;
  if (special.length !== ids.length)
    throw new Error(`maskForMlm: ${ids.length} ids vs ${special.length} special flags`);
  const p = options.probability ?? 0.15;
  const inputIds = ids.slice();
  const labels = ids.map(() => -100);
  for (let i = 0; i < ids.length; i++) {
    const selected = !special[i] && rng() < p;
    if (!selected) continue;
    labels[i] = ids[i];
    if (rng() < 0.8) inputIds[i] = options.maskTokenId;
    else if (rng() < 0.5) inputIds[i] = randIndex(rng, options.vocabSize);
  }
  return { inputIds, labels };
}
