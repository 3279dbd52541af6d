// The spec form derived from the valibot schemas: every field of every kind gets a control (checked against the
// schemas' own entries and against each demo spec's values), bounds and defaults come from the schema, and the
// path helpers edit the JSON and place valibot's messages on the right field.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { demoSpec, EXPERIMENT_KINDS } from '../../workers/contract/specs/index';
import { dotPath, getAt, issuesByPath, setAt } from '../../src/lib/components/spec-form/form-path';
import {
  fieldPaths,
  formFor,
  initialValue,
  kindSchema,
  matches,
  walk,
  type FieldNode,
} from '../../src/lib/components/spec-form/schema-walk';

/** Paths of the demo value that have no field in the form (should be none). */
function uncovered(node: FieldNode, value: unknown, at: string): string[] {
  if (value === undefined) return [];
  switch (node.control) {
    case 'object':
      return Object.entries(value as object).flatMap(([k, x]) => {
        const child = node.children.find((c) => c.key === k);
        return child ? uncovered(child, x, `${at}.${k}`) : [`${at}.${k}`];
      });
    case 'variant':
    case 'data-source': {
      const o = value as Record<string, unknown>;
      const option = node.options.find((x) => x.value === o[node.discriminator]);
      if (!option) return [`${at}.${node.discriminator}`];
      const { [node.discriminator]: _d, ...rest } = o;
      return uncovered(option.node, rest, at);
    }
    case 'list':
      return (value as unknown[]).flatMap((x, i) => uncovered(node.item, x, `${at}.${i}`));
    case 'tuple':
      return (value as unknown[]).flatMap((x, i) =>
        node.items[i] ? uncovered(node.items[i], x, `${at}.${i}`) : [`${at}.${i}`],
      );
    case 'record':
      return Object.entries(value as object).flatMap(([k, x]) => uncovered(node.value, x, `${at}.${k}`));
    case 'union': {
      const option = node.options.find((o) => matches(o, value));
      return option ? uncovered(option, value, at) : [at];
    }
    default:
      return [];
  }
}

function find(node: FieldNode, path: string): FieldNode {
  let cur = node;
  for (const k of path.split('.')) {
    if (cur.control === 'object') cur = cur.children.find((c) => c.key === k) ?? fail(path);
    else if (cur.control === 'list' || cur.control === 'record')
      cur = k === '*' ? (cur.control === 'list' ? cur.item : cur.value) : fail(path);
    else if (cur.control === 'tuple') cur = cur.items[Number(k)] ?? fail(path);
    else fail(path);
  }
  return cur;
}
function fail(path: string): never {
  throw new Error(`no field at ${path}`);
}

describe('spec form from the schemas', () => {
  it('give every schema entry of every kind a field, and cover every value of each demo spec', () => {
    for (const kind of EXPERIMENT_KINDS) {
      const form = formFor(kind);
      const entries = Object.keys((kindSchema(kind) as unknown as { entries: object }).entries);
      expect(form.children.map((c) => c.key)).toEqual(entries);
      expect(uncovered(form, demoSpec(kind), kind)).toEqual([]);
      const paths = fieldPaths(form);
      expect(new Set(paths).size).toBe(paths.length);
    }
  });

  it('take bounds, integer steps, enums and defaults from the schema', () => {
    const a = formFor('emotion-profiles');
    expect(find(a, 'profile.topK')).toMatchObject({
      control: 'number',
      integer: true,
      min: 1,
      max: 5000,
      optional: false,
    });
    expect(find(a, 'profile.variant')).toMatchObject({ control: 'select', options: ['choenni', 'prior-corrected'] });
    expect(find(a, 'profile.exactPieceMatch')).toMatchObject({ control: 'checkbox', optional: true, default: true });
    expect(find(a, 'fineTune')).toMatchObject({ control: 'object', optional: true });
    expect(find(a, 'fineTune.maskProb')).toMatchObject({
      control: 'number',
      min: 0,
      max: 1,
      optional: true,
      default: 0.15,
    });
    expect(find(a, 'fineTune.lr')).toMatchObject({
      control: 'number',
      integer: false,
      min: 0,
      exclusiveMin: true,
      max: 1,
      label: 'Learning rate',
    });
    expect(find(a, 'fineTune.lora.dropout')).toMatchObject({ min: 0, max: 0.9, default: 0 });
    expect(find(a, 'languages')).toMatchObject({ control: 'languages', minItems: 1, maxItems: 24 });
    expect(find(a, 'seed')).toMatchObject({ control: 'number', integer: true, min: 0, max: 0xffffffff });
    expect(find(a, 'version')).toMatchObject({ control: 'const', value: 1 });
    expect(find(a, 'model.revision')).toMatchObject({ control: 'text', default: 'main', maxLength: 64 });
    expect(find(a, 'model.host')).toMatchObject({ control: 'text', optional: true, suggestions: ['demo:'] });
    const lexicon = find(a, 'lexicon');
    if (lexicon.control !== 'data-source') throw new Error(`lexicon is a ${lexicon.control}`);
    expect(lexicon.options.map((o) => o.value)).toEqual(['url', 'file', 'demo']);
    expect(lexicon.options[1].node.children.map((c) => [c.key, c.optional])).toEqual([
      ['name', false],
      ['sha256', true],
    ]);

    const b = formFor('geo-unlearning');
    expect(find(b, 'weights')).toMatchObject({ control: 'select', options: ['f32', 'f16', 'q4'], default: 'f16' });
    expect(find(b, 'evaluation')).toMatchObject({
      control: 'multi-select',
      options: ['generation', 'likelihood'],
      minItems: 1,
    });
    expect(find(b, 'train.steps')).toMatchObject({ min: 1, max: 100_000 });
    expect(find(formFor('engine-check'), 'shapes.*.2')).toMatchObject({
      control: 'number',
      min: 1,
      max: 1024,
      integer: true,
    });
    expect(find(formFor('polyglot-tuning'), 'mix')).toMatchObject({
      control: 'record',
      minItems: 1,
      value: { control: 'number', min: 0, max: 1_000_000 },
    });
    expect(find(formFor('bias-mitigation'), 'train.lora')).toMatchObject({ control: 'object', optional: true });
  });

  it('start a newly added optional group from values the schema accepts', () => {
    const ft = find(formFor('emotion-profiles'), 'fineTune');
    const value = initialValue(ft) as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual([
      'batch',
      'epochs',
      'language',
      'lora',
      'lr',
      'maskProb',
      'priors',
      'text',
    ]);
    const spec = { ...demoSpec('emotion-profiles'), fineTune: { ...value, text: { from: 'demo', name: 'x.txt' } } };
    expect(issuesByPath(kindSchema('emotion-profiles'), spec)).toEqual({});
    for (const kind of EXPERIMENT_KINDS) expect(() => initialValue(formFor(kind))).not.toThrow();
  });

  it('refuse a schema type it has no control for, naming the field', () => {
    expect(() => walk(v.date() as never, 'when')).toThrow(/"date" at "when"/);
  });

  it('set and read values by path without changing the original', () => {
    const spec = demoSpec('emotion-profiles');
    const next = setAt(spec, ['profile', 'topK'], 7) as typeof spec;
    expect(next.profile.topK).toBe(7);
    expect(spec.profile.topK).toBe(300);
    expect(getAt(setAt(spec, ['languages', 2], 'de'), ['languages'])).toEqual(['en', 'fr', 'de']);
    expect(setAt(spec, ['title'], undefined)).not.toHaveProperty('title');
    expect(getAt(setAt({}, ['fineTune', 'lora', 'rank'], 4), ['fineTune', 'lora'])).toEqual({ rank: 4 });
    expect(dotPath(['shapes', 0, 2])).toBe('shapes.0.2');
  });

  it('place valibot messages on the field they belong to', () => {
    const spec = {
      ...demoSpec('emotion-profiles'),
      profile: { ...demoSpec('emotion-profiles').profile, topK: 0 },
      languages: ['en', 'EN!'],
    };
    const issues = issuesByPath(kindSchema('emotion-profiles'), spec);
    expect(Object.keys(issues).sort()).toEqual(['languages.1', 'profile.topK']);
    expect(issues['profile.topK'][0]).toMatch(/Expected >=1 but received 0/);
    expect(issues['languages.1'][0]).toMatch(/language code/);
  });
});
