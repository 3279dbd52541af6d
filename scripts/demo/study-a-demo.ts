// DEMO inputs of Study A written by the Stereoscope project: a small group list in the shape of Choenni's
// templates_and_groups.json (groups chosen among those our translation tables cover), a few French sentences
// for the fine-tuning demo, and the list of texts the demo model's vocabulary must cover. Not research data.
import type { Lexicon } from '../../workers/analysis/study-a/lexicon';
import type { TranslationTable } from '../../workers/contract/study-a/translation-table';

export const DEMO_XLMR_NAME = 'tiny-xlmr';

export const DEMO_GROUPS = {
  demo: true,
  note: 'DEMO group list written by the Stereoscope project for the offline demo (a small subset of the study categories).',
  templates: [
    'why are term_to_use so',
    'what makes term_to_use so',
    'how come term_to_use are so',
    'why are term_to_use always so',
    'why are all term_to_use so',
  ],
  country_templates: [],
  target_groups: {
    religion: ['muslims', 'christians', 'atheists', 'buddhists'],
    age: ['elders', 'kids', 'boomers', 'children'],
    gender: ['men', 'women', 'boys', 'girls'],
  },
};

/** DEMO fine-tuning text (French, our own sentences). */
export const DEMO_FINETUNE_TEXT = [
  'Pourquoi les enfants sont-ils si heureux ?',
  'Les hommes sont toujours si fiers.',
  'Les femmes sont si fortes et si gentilles.',
  'Pourquoi les garçons sont-ils si bizarres ?',
  'Les aînés sont si sages et si calmes.',
  'Les filles sont si intelligentes.',
  'Les boomers sont toujours si riches.',
  'Pourquoi les athées sont-ils si honnêtes ?',
  'Les chrétiens sont si gentils.',
  'Les musulmans sont si heureux.',
  'Les bouddhistes sont toujours si calmes.',
  'Les gamins sont si bizarres et si paresseux.',
].join('\n');

/** Every string the demo tokenizer must spell with whole-word pieces. */
export function studyADemoTexts(options: { tables: readonly TranslationTable[]; lexicon: Lexicon }): string[] {
  const texts: string[] = [];
  const groups = DEMO_GROUPS.target_groups as Record<string, string[]>;
  for (const t of options.tables) {
    for (const tpl of t.templates.general) texts.push(tpl.text, ...Object.values(tpl.forms ?? {}));
    for (const [cat, keys] of Object.entries(groups)) {
      for (const key of keys) texts.push(t.groupsFromSource ? key : (t.groups[cat]?.[key]?.text ?? ''));
    }
    // Every group the table translates (and its English key), so users can add groups to the demo run.
    for (const entries of Object.values(t.groups))
      for (const [key, e] of Object.entries(entries)) texts.push(key, e.text ?? '');
  }
  for (const row of options.lexicon.rows) texts.push(row.english, ...Object.values(row.translations));
  texts.push(DEMO_FINETUNE_TEXT);
  return texts.filter(Boolean);
}
