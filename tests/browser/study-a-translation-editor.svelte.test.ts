// The Study A translation editor mounted with Svelte 5's mount() in headless Chromium: it shows a built-in
// table with its notes, and cell edits, an added template, language and group land in spec.translations as
// differences only; an invalid template is shown as an error and changes nothing.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import TranslationEditor from '../../src/lib/components/study-a/translation-editor.svelte';
import { demoEmotionProfilesSpec, EmotionProfilesSpec } from '../../workers/contract/specs/emotion-profiles';
import { specTable } from '../../src/lib/components/study-a/translation-edit';
import * as v from 'valibot';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

function setup() {
  const target = document.createElement('div');
  document.body.append(target);
  const state = $state({ spec: demoEmotionProfilesSpec(), changes: 0 });
  const app = mount(TranslationEditor, {
    target,
    props: {
      get spec() {
        return state.spec;
      },
      onchange: (s: EmotionProfilesSpec) => {
        state.spec = s;
        state.changes++;
      },
    },
  });
  flushSync();
  cleanup = () => (unmount(app), target.remove());
  const q = <T extends Element>(sel: string) => target.querySelector<T>(sel)!;
  const change = (el: HTMLInputElement | HTMLSelectElement, value: string) => {
    el.value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
  };
  return { target, state, q, change };
}

describe('Study A translation editor', () => {
  it('shows the French table with notes, and a cell edit is stored as a one-entry difference', () => {
    const { target, state, q, change } = setup();
    change(q<HTMLSelectElement>('select'), 'fr');
    const cat = [...target.querySelectorAll<HTMLSelectElement>('select')].find((s) =>
      [...s.options].some((o) => o.value === 'profession'),
    )!;
    change(cat, 'profession');
    expect(q<HTMLInputElement>('input[aria-label="nurses in fr"]').value).toBe('infirmières');
    expect(q<HTMLInputElement>('input[aria-label="nurses note"]').value).toMatch(/feminine chosen/);
    expect(q<HTMLInputElement>('input[aria-label="Template 1"]').value).toBe('Pourquoi les {} sont-ils si <mask> ?');
    expect(q('input[aria-label="nurses in fr"]').closest('tr')!.textContent).toContain('gendered');
    change(q<HTMLInputElement>('input[aria-label="doctors in fr"]'), 'toubibs');
    expect(state.spec.translations).toEqual({
      languages: { fr: { groups: { profession: { doctors: { text: 'toubibs' } } } } },
    });
    expect(() => v.parse(EmotionProfilesSpec, state.spec)).not.toThrow();
    expect(q<HTMLInputElement>('input[aria-label="doctors in fr"]').value).toBe('toubibs');
  });

  it('adds a template; refuses a template without <mask> with a message and no change', () => {
    const { target, state, q, change } = setup();
    change(q<HTMLSelectElement>('select'), 'fr');
    const add = [...target.querySelectorAll('button')].find((b) => b.textContent === 'Add template')!;
    add.click();
    flushSync();
    expect(state.spec.translations!.languages!.fr.templates!.general).toHaveLength(6);
    const before = JSON.stringify(state.spec);
    change(q<HTMLInputElement>('input[aria-label="Template 1"]'), 'Pourquoi les {} ?');
    expect(JSON.stringify(state.spec)).toBe(before);
    expect(q('[role="alert"]').textContent).toMatch(/exactly one \{\} and one <mask>/);
  });

  it('adds a language and a group; the spec validates and the new table is what a run would use', () => {
    const { target, state, q, change } = setup();
    const code = q<HTMLInputElement>('input[aria-label="New language code"]');
    const name = q<HTMLInputElement>('input[aria-label="New language name"]');
    code.value = 'it';
    code.dispatchEvent(new Event('input', { bubbles: true }));
    name.value = 'Italian';
    name.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    q<HTMLButtonElement>('form button').click();
    flushSync();
    expect(state.spec.languages).toEqual(['en', 'fr', 'it']);
    expect(state.spec.translations!.languages!.it.languageName).toBe('Italian');
    change(q<HTMLInputElement>('input[aria-label="Template 1"]'), 'Perché i {} sono così <mask>?');
    const cat = [...target.querySelectorAll<HTMLSelectElement>('select')].find((s) =>
      [...s.options].some((o) => o.value === 'age'),
    )!;
    change(cat, 'age');
    change(q<HTMLInputElement>('input[aria-label="kids in it"]'), 'bambini');
    const g = q<HTMLInputElement>('input[aria-label="New group (English)"]');
    g.value = 'toddlers';
    g.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    [...target.querySelectorAll('button')].find((b) => b.textContent === 'Add group')!.click();
    flushSync();
    expect(state.spec.translations!.addGroups).toEqual({ age: ['toddlers'] });
    expect(() => v.parse(EmotionProfilesSpec, state.spec)).not.toThrow();
    const it = specTable(state.spec, 'it');
    expect(it.templates.general[0].text).toBe('Perché i {} sono così <mask>?');
    expect(it.groups.age.kids.text).toBe('bambini');
    expect(q<HTMLInputElement>('input[aria-label="toddlers in it"]')).not.toBeNull();
  });
});
