// Study A prompts: parser for Choenni's templates_and_groups.json shape and the exact model inputs of both
// variants (methods.md A.1/A.2): Choenni's `<s> {template} <mask> ? </s>` and seed A's `Why are {} so <mask>?`.
import { looksLikeTargetDictsPy, readTargetDictsPy } from './target-dicts-py';

export interface ChoenniTemplates {
  templates: string[];
  countryTemplates: string[];
  /** category → English group names, in file order. */
  groups: Record<string, string[]>;
}

const SLOT = 'term_to_use';

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new Error(`templates_and_groups: ${what} must be a list of strings`);
  return v as string[];
}

/** Parses the JSON object (already JSON.parse'd or raw text), or the text of Choenni's utils/target_dicts.py (its
 *  public home). Every template must contain `term_to_use`. */
export function parseChoenniTemplates(input: unknown): ChoenniTemplates {
  const obj =
    typeof input !== 'string' ? input : looksLikeTargetDictsPy(input) ? readTargetDictsPy(input) : JSON.parse(input);
  if (typeof obj !== 'object' || obj === null) throw new Error('templates_and_groups: not an object');
  const o = obj as Record<string, unknown>;
  const templates = stringList(o.templates, 'templates');
  const countryTemplates = stringList(o.country_templates ?? [], 'country_templates');
  for (const t of [...templates, ...countryTemplates])
    if (!t.includes(SLOT)) throw new Error(`templates_and_groups: template "${t}" has no ${SLOT}`);
  const tg = o.target_groups;
  if (typeof tg !== 'object' || tg === null || Array.isArray(tg))
    throw new Error('templates_and_groups: target_groups must be an object');
  const groups: Record<string, string[]> = {};
  for (const [cat, list] of Object.entries(tg)) groups[cat] = stringList(list, `target_groups.${cat}`);
  return { templates, countryTemplates, groups };
}

/** A model input: text for the tokenizer and whether the tokenizer must add its own special tokens. */
export interface MlmInput {
  text: string;
  addSpecialTokens: boolean;
  /** Which <mask> occurrence (0-based) is read out. */
  maskIndex: number;
}

export interface ChoenniInputOptions {
  template: string;
  group: string;
  cls?: string;
  mask?: string;
  sep?: string;
}

/**
 * Choenni's compute_emotion_scores.py: `cls + ' ' + template(group) + ' ' + mask + ' ? ' + sep`, then
 * `tokenizer.encode(sequence)` with the default add_special_tokens=True. The literal `<s>`/`</s>` are parsed as
 * special tokens AND the tokenizer adds its own, so the ids start `<s> <s>` and end `</s> </s>` — faithful here.
 */
export function choenniInput(options: ChoenniInputOptions): MlmInput {
  const { template, group } = options;
  const text = `${options.cls ?? '<s>'} ${template.split(SLOT).join(group)} ${options.mask ?? '<mask>'} ? ${options.sep ?? '</s>'}`;
  return { text, addSpecialTokens: true, maskIndex: 0 };
}

/** Seed A's English general prompts (methods.md A.1). */
export const SEED_A_ENGLISH_PROMPTS = [
  'Why are {} so <mask>?',
  'What makes {} so <mask>?',
  'How come {} are so <mask>?',
  'Why are {} always so <mask>?',
  'Why are all {} so <mask>?',
];

/** Seed A's English country prompts (used only with the `countryPrompts` option; see promptsForGroup). */
export const SEED_A_ENGLISH_COUNTRY_PROMPTS = [
  'Why is {} so <mask> ?',
  'What makes {} so <mask> ?',
  'How come {} is so <mask> ?',
  'Why is {} always so <mask> ?',
  'Why are all people in {} so <mask>?',
];

/** Seed A: `prompt.format(group)` encoded with the tokenizer's own <s> … </s>. Python's format replaces the first {}. */
export function seedAInput(options: { prompt: string; group: string }): MlmInput {
  if (!options.prompt.includes('{}')) throw new Error(`seedAInput: prompt "${options.prompt}" has no {}`);
  return { text: options.prompt.replace('{}', options.group), addSpecialTokens: true, maskIndex: 0 };
}

/** Seed A's prior prompt (create_priors.py): the group slot masked too; the distribution is read at the 2nd mask. */
export function seedAPriorInput(options: { prompt: string; mask?: string }): MlmInput {
  const mask = options.mask ?? '<mask>';
  const first = options.prompt.indexOf('{}');
  const maskPos = options.prompt.indexOf(mask);
  if (first < 0 || maskPos < 0) throw new Error(`seedAPriorInput: prompt "${options.prompt}" needs {} and ${mask}`);
  // The study reads the *second* mask; that is the answer slot only when the group slot comes first.
  const maskIndex = first < maskPos ? 1 : 0;
  return { text: options.prompt.split('{}').join(mask), addSpecialTokens: true, maskIndex };
}

export type CountryPromptMode = 'faithful' | 'countryPrompts';

/**
 * Which prompts a group gets. 'faithful' (default) reproduces the `emotion_per_groups` bug (prompts looked up by
 * group item, never by category): every group, countries included, gets the general plural prompts.
 * 'countryPrompts' gives the country category its own singular prompts, as the study intended.
 */
export function promptsForGroup<T>(options: {
  category: string;
  general: readonly T[];
  country: readonly T[];
  mode?: CountryPromptMode;
  countryCategory?: string;
}): readonly T[] {
  const isCountry = options.category === (options.countryCategory ?? 'country') || options.category === 'countries';
  return options.mode === 'countryPrompts' && isCountry && options.country.length > 0
    ? options.country
    : options.general;
}

/** The study's group list with the user's added groups appended (duplicates ignored). */
export function withAddedGroups(
  source: ChoenniTemplates,
  addGroups: Record<string, string[]> | undefined,
): ChoenniTemplates {
  if (!addGroups) return source;
  const groups: Record<string, string[]> = {};
  for (const [cat, keys] of Object.entries(source.groups)) groups[cat] = [...keys];
  for (const [cat, keys] of Object.entries(addGroups)) {
    const list = (groups[cat] ??= []);
    for (const k of keys) if (k.trim() && !list.includes(k.trim())) list.push(k.trim());
  }
  return { ...source, groups };
}
