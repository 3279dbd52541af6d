// Turns a valibot spec schema into a tree of form fields: strict objects become groups, numbers carry the
// min/max of their pipe, picklists become selects, variants a choice of sub-forms, optional fields their default.
// A field added to a spec schema appears in the form without UI code; only data sources (DataSource,
// PerLanguageSource) and language lists get their own controls (matched by schema identity), because a plain text
// box would serve them badly.
import type * as v from 'valibot';
import { DataSource, Lang, PerLanguageSource } from '../../../../workers/contract/specs/common';
import { ExperimentSpec, type ExperimentKind } from '../../../../workers/contract/specs/index';
import { LANGUAGE_CODES } from './languages';

type Schema = v.GenericSchema & {
  pipe?: readonly { kind: string; type: string; requirement?: unknown; message?: unknown }[];
};

interface Base {
  /** Key in the parent object ('' for the root, the index for tuple items, '*' for list/record items). */
  key: string;
  label: string;
  /** The field may be absent from the spec. */
  optional: boolean;
  /** Value the schema fills in when the field is absent. */
  default?: unknown;
  /** The field may be null (an empty text box then means null). */
  nullable?: boolean;
}

export type FieldNode =
  | (Base & { control: 'object'; children: FieldNode[] })
  | (Base & { control: 'number'; integer: boolean; min?: number; max?: number; exclusiveMin?: boolean })
  | (Base & { control: 'text'; maxLength?: number; pattern?: string; hint?: string; suggestions: string[] })
  | (Base & { control: 'checkbox' })
  | (Base & { control: 'select'; options: string[] })
  | (Base & { control: 'const'; value: unknown })
  | (Base & { control: 'multi-select'; options: string[]; minItems?: number; maxItems?: number })
  | (Base & { control: 'languages'; minItems?: number; maxItems?: number })
  | (Base & {
      control: 'variant';
      discriminator: string;
      options: { value: string; node: Extract<FieldNode, { control: 'object' }> }[];
    })
  | (Base & {
      control: 'data-source';
      discriminator: string;
      options: { value: string; node: Extract<FieldNode, { control: 'object' }> }[];
      perLanguage?: boolean;
    })
  | (Base & { control: 'list'; item: FieldNode; minItems?: number; maxItems?: number })
  | (Base & { control: 'tuple'; items: FieldNode[] })
  | (Base & { control: 'record'; keyNode: FieldNode; value: FieldNode; minItems?: number })
  | (Base & { control: 'union'; options: FieldNode[] });

export type ObjectNode = Extract<FieldNode, { control: 'object' }>;

/** Labels where the key alone reads badly; everything else is the key in words. */
const LABELS: Record<string, string> = {
  lr: 'Learning rate',
  topK: 'Top-k fills',
  id: 'Model id',
  url: 'URL',
  host: 'Host (Hub mirror URL, or demo:)',
  sha256: 'sha256',
  maskProb: 'Masking probability',
  kl: 'KL weight',
  mcq: 'MCQ data',
  evalSplit: 'Evaluation rows',
  priors: 'Priors of the fine-tuned profiles',
  crowsPairs: 'CrowS-Pairs data',
  maxSeqLength: 'Max sequence length',
};

export function labelFor(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The schema of one experiment kind, taken from the ExperimentSpec variant (so a new kind needs nothing here). */
export function kindSchema(kind: ExperimentKind): v.GenericSchema {
  const option = (ExperimentSpec.options as readonly Schema[]).find(
    (o) => (o as unknown as { entries: { kind: { literal: string } } }).entries.kind.literal === kind,
  );
  if (!option) throw new Error(`no spec schema for kind ${kind}`);
  return option;
}

export function formFor(kind: ExperimentKind): ObjectNode {
  const node = walk(kindSchema(kind) as Schema, '');
  if (node.control !== 'object') throw new Error(`the ${kind} spec schema is not an object`);
  return node;
}

function action(s: Schema, type: string) {
  return s.pipe?.find((a) => a.type === type);
}
const req = (s: Schema, type: string) => action(s, type)?.requirement as number | undefined;

/** One schema (possibly optional, possibly piped) → one field. Throws on a schema type it cannot render. */
export function walk(schema: Schema, key: string): FieldNode {
  let s = schema;
  let optional = false;
  let dflt: unknown;
  if (s.type === 'optional') {
    optional = true;
    dflt = (s as unknown as { default?: unknown }).default;
    s = (s as unknown as { wrapped: Schema }).wrapped;
  }
  let nullable = false;
  if (s.type === 'nullable') {
    nullable = true;
    s = (s as unknown as { wrapped: Schema }).wrapped;
  }
  const base: Base = {
    key,
    label: labelFor(key),
    optional,
    ...(dflt !== undefined ? { default: dflt } : {}),
    ...(nullable ? { nullable } : {}),
  };
  const any = s as unknown as Record<string, unknown>;
  switch (s.type) {
    case 'strict_object':
    case 'object': {
      const entries = any.entries as Record<string, Schema>;
      return { ...base, control: 'object', children: Object.entries(entries).map(([k, c]) => walk(c, k)) };
    }
    case 'number': {
      const gt = req(s, 'gt_value');
      return {
        ...base,
        control: 'number',
        integer: !!action(s, 'integer'),
        min: req(s, 'min_value') ?? gt,
        max: req(s, 'max_value'),
        ...(gt !== undefined ? { exclusiveMin: true } : {}),
      };
    }
    case 'string': {
      const rx = action(s, 'regex');
      if (s === Lang)
        return {
          ...base,
          control: 'text',
          pattern: (rx?.requirement as RegExp).source,
          hint: String(rx?.message),
          suggestions: [...LANGUAGE_CODES],
        };
      return {
        ...base,
        control: 'text',
        maxLength: req(s, 'max_length'),
        pattern: rx ? (rx.requirement as RegExp).source : undefined,
        hint: typeof rx?.message === 'string' ? rx.message : undefined,
        suggestions: [],
      };
    }
    case 'boolean':
      return { ...base, control: 'checkbox' };
    case 'picklist':
      return { ...base, control: 'select', options: [...(any.options as string[])] };
    case 'literal':
      return { ...base, control: 'const', value: any.literal };
    case 'union': {
      // A free value or a few fixed words (a model host: any URL, or "demo:"): text with the words suggested.
      // Anything else (a data source or the word "none"): a choice between the alternatives, each its own field.
      const opts = (any.options as Schema[]).map((o) => walk(o, key));
      const text = opts.find((o) => o.control === 'text');
      if (text && opts.every((o) => o.control === 'text' || o.control === 'const')) {
        const suggestions = opts.flatMap((o) => (o.control === 'const' ? [String(o.value)] : []));
        return { ...text, ...base, control: 'text', pattern: undefined, suggestions };
      }
      return { ...base, control: 'union', options: opts };
    }
    case 'variant': {
      const options = (any.options as Schema[]).map((o) => {
        const node = walk(o, key) as ObjectNode;
        const disc = node.children.find((c) => c.key === any.key);
        if (disc?.control !== 'const')
          throw new Error(`variant at "${key}" has an option without a literal ${String(any.key)}`);
        return {
          value: String(disc.value),
          node: { ...node, children: node.children.filter((c) => c.key !== any.key) },
        };
      });
      // A per-language source (one file per language, `{lang}` in its name) gets a picker per language.
      if (s === PerLanguageSource)
        return { ...base, control: 'data-source', discriminator: String(any.key), options, perLanguage: true };
      return {
        ...base,
        control: schema === DataSource || s === DataSource ? 'data-source' : 'variant',
        discriminator: String(any.key),
        options,
      };
    }
    case 'array': {
      const item = any.item as Schema;
      const lim = { minItems: req(s, 'min_length'), maxItems: req(s, 'max_length') };
      if (item === Lang) return { ...base, control: 'languages', ...lim };
      if (item.type === 'picklist')
        return {
          ...base,
          control: 'multi-select',
          options: [...(item as unknown as { options: string[] }).options],
          ...lim,
        };
      return { ...base, control: 'list', item: walk(item, '*'), ...lim };
    }
    case 'tuple':
      return { ...base, control: 'tuple', items: (any.items as Schema[]).map((it, i) => walk(it, String(i))) };
    case 'record':
      return {
        ...base,
        control: 'record',
        keyNode: walk(any.key as Schema, '*'),
        value: walk(any.value as Schema, '*'),
        minItems: action(s, 'check') ? 1 : undefined,
      };
    default:
      throw new Error(`cannot build a form control for schema type "${s.type}" at "${key}"`);
  }
}

/** A value to start a field from when the user adds it (an optional group switched on, a new list item). */
export function initialValue(node: FieldNode): unknown {
  if (node.default !== undefined) return structuredClone(node.default);
  switch (node.control) {
    case 'object':
      return Object.fromEntries(
        node.children.filter((c) => !c.optional || c.default !== undefined).map((c) => [c.key, initialValue(c)]),
      );
    case 'number':
      if (node.exclusiveMin)
        return node.max !== undefined ? Math.min(node.max, (node.min ?? 0) + 1e-3) : (node.min ?? 0) + 1;
      return node.min ?? 0;
    case 'text':
      return node.suggestions[0] ?? '';
    case 'checkbox':
      return false;
    case 'select':
      return node.options[0];
    case 'const':
      return node.value;
    case 'multi-select':
      return node.minItems ? node.options.slice(0, node.minItems) : [];
    case 'languages':
      return node.minItems ? ['en'] : [];
    case 'variant':
    case 'data-source': {
      const first = node.options[0];
      return { [node.discriminator]: first.value, ...(initialValue(first.node) as object) };
    }
    case 'list':
      return node.minItems ? Array.from({ length: node.minItems }, () => initialValue(node.item)) : [];
    case 'tuple':
      return node.items.map(initialValue);
    case 'record':
      return node.minItems ? { [String(initialValue(node.keyNode)) || 'en']: initialValue(node.value) } : {};
    case 'union':
      return initialValue(node.options[0]);
  }
}

/** Does a value look like one the field takes? Picks the alternative of a union that the current value is in. */
export function matches(node: FieldNode, value: unknown): boolean {
  switch (node.control) {
    case 'const':
      return value === node.value;
    case 'number':
      return typeof value === 'number';
    case 'text':
    case 'select':
      return typeof value === 'string';
    case 'checkbox':
      return typeof value === 'boolean';
    case 'list':
    case 'tuple':
    case 'multi-select':
    case 'languages':
      return Array.isArray(value);
    case 'variant':
    case 'data-source':
      return (
        !!value &&
        typeof value === 'object' &&
        node.options.some((o) => o.value === (value as Record<string, unknown>)[node.discriminator])
      );
    case 'union':
      return node.options.some((o) => matches(o, value));
    default:
      return !!value && typeof value === 'object' && !Array.isArray(value);
  }
}

/** Every field of a form as dot paths (`*` for list and record items, `from=<value>.` inside variant options). */
export function fieldPaths(node: FieldNode, prefix = ''): string[] {
  const here = prefix && node.key ? `${prefix}.${node.key}` : node.key || prefix;
  switch (node.control) {
    case 'object':
      return [...(here ? [here] : []), ...node.children.flatMap((c) => fieldPaths(c, here))];
    case 'variant':
    case 'data-source':
      return [
        here,
        ...node.options.flatMap((o) =>
          o.node.children.flatMap((c) => fieldPaths(c, `${here}[${node.discriminator}=${o.value}]`)),
        ),
      ];
    case 'list':
      return [here, ...fieldPaths(node.item, here)];
    case 'tuple':
      return [here, ...node.items.flatMap((it) => fieldPaths(it, here))];
    case 'record':
      return [here, ...fieldPaths(node.value, here)];
    case 'union':
      return [
        here,
        ...node.options.flatMap((o, i) => fieldPaths(o, `${here}|${i}`).filter((p) => p !== `${here}|${i}`)),
      ];
    default:
      return [here];
  }
}
