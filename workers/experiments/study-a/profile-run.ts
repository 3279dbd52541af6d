// Profiling every language of a Study A run on one model (baseline or with a LoRA adapter): batches of prompts
// that share a template, priors computed once per (model, template, language) and kept in memory and in the
// run's checkpoints (a rerun or resume reuses them), progress per batch, prompts/s measured.
import type { Tokenizer } from '../../../models/load/tokenizer';
import type { XlmrForMaskedLM } from '../../../models/xlmr/model';
import type { Tensor } from '../../backend/backend';
import { TOPK_MAX_K } from '../../kernels/reduce/topk';
import { pieceKey, type PieceMatch } from '../../analysis/study-a/profile-prior';
import type { Lexicon } from '../../analysis/study-a/lexicon';
import { sha256Hex } from '../../contract/sha256';
import type { ExperimentContext } from '../experiment-runner';
import {
  choenniLookup,
  languageWords,
  priorLookup,
  priorPrompt,
  type LanguagePrompts,
  type PromptItem,
} from '../../analysis/study-a/inputs';
import { groupProfiles } from '../../analysis/study-a/results';
import {
  disposeLanguageMask,
  encodePrompt,
  negLogPriorRow,
  topLogits,
  topPriorCorrected,
  uploadLanguageMask,
} from './scoring';
import type { GroupProfile } from '../../contract/results/emotion-profiles';
import type { TopRow } from '../../analysis/study-a/results';

/** −log p_prior rows by cache key; survives between runs in the same worker or CLI process. */
const priorCache = new Map<string, Float32Array>();

export interface ProfileRunOptions {
  model: XlmrForMaskedLM;
  tok: Tokenizer;
  /** Decoded single pieces, id → string (tokenizer.decode([id])), computed once per tokenizer. */
  pieces: readonly string[];
  languages: readonly LanguagePrompts[];
  lexicon: Lexicon;
  variant: 'choenni' | 'prior-corrected';
  topK: number;
  exactPieceMatch: boolean;
  /** Identifies the weights (model id, revision, adapter) for the prior cache. */
  modelKey: string;
  /**
   * Whose priors the prior-corrected score divides by when the model carries LoRA adapters: 'same' = the adapted
   * model's own; 'base' = the pretrained model's, as the baseline pass of the same run computed and keyed them
   * under `baseModelKey` (seed A reads one priors file per language, made with xlm-roberta-base, for every
   * fine-tuned model). Default 'same'.
   */
  priors?: { from: 'same' } | { from: 'base'; baseModelKey: string };
  batchSize: number;
  label: string;
  ctx: ExperimentContext;
}

export interface ProfileRunResult {
  byLanguage: Map<string, GroupProfile[]>;
  prompts: number;
  /** Wall time of the whole profiling, priors included. */
  seconds: number;
  priorsComputed: number;
  priorsReused: number;
}

function batches<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export async function profileLanguages(o: ProfileRunOptions): Promise<ProfileRunResult> {
  const { model, tok, ctx } = o;
  const be = model.be;
  const V = model.config.vocab_size;
  const k = Math.min(o.topK, V, TOPK_MAX_K);
  if (k < o.topK)
    ctx.progress({
      type: 'log',
      message: `top-k lowered from ${o.topK} to ${k} (vocabulary ${V}, GPU top-k limit ${TOPK_MAX_K})`,
    });
  const match: PieceMatch = o.exactPieceMatch ? 'exact' : 'normalized';
  const maxLen = model.config.max_position_embeddings - model.config.pad_token_id - 1;
  const decode = (id: number) => o.pieces[id] ?? '';
  const byLanguage = new Map<string, GroupProfile[]>();
  const totalPrompts = o.languages.reduce((s, l) => s + l.items.length, 0);
  let done = 0;
  let priorsComputed = 0;
  let priorsReused = 0;
  const started = performance.now();
  for (const lang of o.languages) {
    ctx.signal.throwIfAborted();
    ctx.progress({ type: 'phase', label: `${o.label}: ${lang.languageName} (${lang.items.length} prompts)` });
    const encoded = lang.items.map((it) => encodePrompt(tok, it.prompt, 0, maxLen));
    const tops: TopRow[] = new Array(lang.items.length);
    // Prompts sharing a template share a prior row, so they are batched together.
    const byTemplate = new Map<string, number[]>();
    lang.items.forEach((it, i) =>
      (byTemplate.get(it.templateText) ?? byTemplate.set(it.templateText, []).get(it.templateText)!).push(i),
    );
    let mask: ReturnType<typeof uploadLanguageMask> | null = null;
    if (o.variant === 'prior-corrected') {
      const words = languageWords(o.lexicon, lang.language, lang.languageName, match);
      const keep = Uint8Array.from(o.pieces, (p) => (words.has(pieceKey(p, match)) ? 1 : 0));
      if (!keep.some((x) => x)) {
        ctx.progress({
          type: 'log',
          message: `${lang.language}: no vocabulary piece is in the lexicon's ${lang.languageName} words; the prior is not restricted`,
        });
        keep.fill(1);
      }
      mask = uploadLanguageMask(be, keep);
    }
    try {
      for (const [templateText, idx] of byTemplate) {
        let negLogPrior: Tensor | null = null;
        if (mask) {
          const fromBase = o.priors?.from === 'base';
          const priorKey = o.priors?.from === 'base' ? o.priors.baseModelKey : o.modelKey;
          const key = await sha256Hex(`${priorKey}|${lang.language}|${templateText}|${match}|${V}|${mask.kept}`);
          let row = priorCache.get(key) ?? null;
          const ckKey = `study-a/priors/${key}`;
          if (!row) {
            const saved = await ctx.checkpoints.load(ckKey);
            if (saved && saved.byteLength === V * 4) row = new Float32Array(saved.slice().buffer);
          }
          if (row) {
            priorsReused++;
            negLogPrior = be.upload(row, [V]);
          } else {
            // The baseline pass (the pretrained weights, same prompts) always runs first and keeps its priors.
            if (fromBase)
              throw new Error(
                `${lang.language}: the pretrained model's prior for "${templateText}" was not computed by the baseline pass`,
              );
            const p = priorPrompt(templateText);
            negLogPrior = await negLogPriorRow(model, encodePrompt(tok, p.text, p.maskIndex, maxLen), mask);
            row = (await be.download(negLogPrior)) as Float32Array;
            await ctx.checkpoints.save(ckKey, new Uint8Array(row.buffer.slice(0)));
            priorsComputed++;
          }
          priorCache.set(key, row);
        }
        for (const part of batches(idx, o.batchSize)) {
          ctx.signal.throwIfAborted();
          const batch = part.map((i) => encoded[i]);
          const rows = negLogPrior
            ? await topPriorCorrected(model, batch, negLogPrior, k)
            : await topLogits(model, batch, k);
          part.forEach((i, j) => (tops[i] = rows[j]));
          done += part.length;
          ctx.progress({ type: 'step', step: done, total: totalPrompts, label: `${lang.language} ${o.label}` });
        }
        negLogPrior?.dispose();
      }
    } finally {
      if (mask) disposeLanguageMask(mask);
    }
    const lookup =
      o.variant === 'choenni'
        ? choenniLookup(o.lexicon, lang.language, lang.languageName)
        : priorLookup(o.lexicon, o.exactPieceMatch);
    byLanguage.set(
      lang.language,
      groupProfiles({ items: lang.items as PromptItem[], tops, variant: o.variant, decode, lookup, topK: k, match }),
    );
  }
  return {
    byLanguage,
    prompts: totalPrompts,
    seconds: (performance.now() - started) / 1000,
    priorsComputed,
    priorsReused,
  };
}

/** Every vocabulary piece decoded alone, as the original decodes each kept id (methods.md A.2 step 5). */
export function decodePieces(tok: Tokenizer, V: number): string[] {
  return Array.from({ length: V }, (_, id) => tok.decode([id]));
}
