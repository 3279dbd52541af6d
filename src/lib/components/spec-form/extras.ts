// Kind-specific editors mounted inside the generic spec form, for fields a generated control serves badly.
// ── EXTENSION POINT ── To add one: import the component and add an entry below. `replaces` lists the spec's
// top-level fields the editor takes over (the generic form then hides them); the editor receives the current
// valid spec and calls onchange with the whole edited spec.
import type { Component } from 'svelte';
import TranslationEditor from '../study-a/translation-editor.svelte';
import type { ExperimentKind, ExperimentSpec } from '../../../../workers/contract/specs/index';

export interface KindExtra {
  title: string;
  replaces: string[];
  // The editor's own spec type is the kind's spec; `any` here so one map can hold editors of every kind.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  component: Component<{ spec: any; onchange: (spec: ExperimentSpec) => void }>;
}

export const KIND_EXTRAS: Partial<Record<ExperimentKind, KindExtra>> = {
  // Study A: the translation tables (templates and groups per language), kept in spec.translations as differences.
  'emotion-profiles': {
    title: 'Translations of templates and groups',
    replaces: ['translations'],
    component: TranslationEditor,
  },
};
