// Choenni's own English inputs for her variant: her lower-case templates, the country templates for countries
// (compute_emotion_scores.py picks them by category), and `<s> … <mask> ? </s>` around the filled template.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChoenniTemplates } from '../../workers/analysis/study-a/templates';
import { choenniEnglishPrompts } from '../../workers/analysis/study-a/inputs';
import { shared } from '../helpers/shared';

const source = parseChoenniTemplates(
  readFileSync(shared('data/choenni-stereotypes/templates_and_groups.json'), 'utf8'),
);

describe("Choenni's English inputs", () => {
  const prompts = choenniEnglishPrompts({ source });
  it('gives every group of every category its five templates', () => {
    expect(prompts.items).toHaveLength(374 * 5);
    expect(prompts.skipped).toEqual([]);
  });
  it('uses the country templates for countries and the general ones elsewhere', () => {
    const france = prompts.items.filter((p) => p.key === 'France').map((p) => p.prompt);
    expect(france[0]).toBe('<s> why is France so <mask> ? </s>');
    expect(france[4]).toBe('<s> why are all people in France so <mask> ? </s>');
    const nurses = prompts.items.filter((p) => p.key === 'nurses').map((p) => p.prompt);
    expect(nurses[2]).toBe('<s> how come nurses are so <mask> ? </s>');
  });
  it('can be limited to some categories', () => {
    const r = choenniEnglishPrompts({ source, categories: ['religion'] });
    expect(new Set(r.items.map((p) => p.category))).toEqual(new Set(['religion']));
    expect(r.items).toHaveLength(10 * 5);
  });
});
