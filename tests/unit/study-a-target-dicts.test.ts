// Choenni's utils/target_dicts.py (the public home of the templates and groups) read as Python literals. The test
// writes a file in that shape from the shared JSON copy — mixed quotes, comments, continuation lines, trailing
// commas — and expects exactly the JSON's content back; then malformed files must fail with a line number.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChoenniTemplates } from '../../workers/analysis/study-a/templates';
import { readTargetDictsPy } from '../../workers/analysis/study-a/target-dicts-py';
import { shared } from '../helpers/shared';

const json = JSON.parse(readFileSync(shared('data/choenni-stereotypes/templates_and_groups.json'), 'utf8'));

/** A Python literal of a string, alternating quote styles so both are exercised. */
const py = (s: string, i: number) => (i % 2 ? `"${s.replace(/"/g, '\\"')}"` : `'${s.replace(/'/g, "\\'")}'`);
const pyList = (xs: string[]) => `[${xs.map((x, i) => py(x, i) + (i % 7 === 6 ? ',\n        ' : ', ')).join('')}]`;

function asPython(): string {
  const cats = Object.entries(json.target_groups as Record<string, string[]>);
  const dict = cats.map(([c, g]) => `    ${py(c, 0)}:${pyList(g)}`).join(' ,\n\n');
  return `# templates and target groups\neng_target_dict= {${dict.trimStart()}}\n\n\ntemplates = ${pyList(json.templates)}\ncountry_templates = ${pyList(json.country_templates)} # country prompts\n`;
}

describe('target_dicts.py', () => {
  it('reads back the same templates and groups as the JSON copy', () => {
    const fromPy = parseChoenniTemplates(asPython());
    const fromJson = parseChoenniTemplates(json);
    expect(fromPy).toEqual(fromJson);
    expect(Object.values(fromPy.groups).flat()).toHaveLength(374);
  });
  it('keeps escaped quotes and concatenates adjacent literals', () => {
    const r = readTargetDictsPy(`d = {'x': ['it\\'s', "a" 'b']}\ntemplates = ['why are term_to_use so']`);
    expect(r.target_groups).toEqual({ x: ["it's", 'ab'] });
  });
  it('refuses code and broken literals with the line', () => {
    expect(() => readTargetDictsPy(`d = {'x': ['a']}\ntemplates = make_templates()`)).toThrow(
      /line 2: only strings, lists and dicts/,
    );
    expect(() => readTargetDictsPy(`d = {'x': ['a', 'b}\ntemplates = []`)).toThrow(/line 1: unterminated string/);
    expect(() => readTargetDictsPy(`templates = ['a term_to_use']`)).toThrow(/expected one dict of groups, found 0/);
    expect(() => readTargetDictsPy(`d = {'x': ['a']}`)).toThrow(/no `templates/);
  });
});
