// The file picker mounted in headless Chromium with the app's real IndexedDB store: a picked file is stored and
// shown with its size and sha256 and handed up; a file whose sha256 differs from the one expected is refused
// with a message and not stored; a full quota shows the storage message and leaves nothing half-written.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import FilePicker from '../../src/lib/components/file-picker.svelte';
import { userFiles } from '../../src/lib/state/app';
import type { UserFileInfo } from '../../src/lib/storage/user-files';
import { sha256Hex } from '../../workers/contract/sha256';

let cleanup: (() => void) | null = null;
afterEach(async () => {
  cleanup?.();
  cleanup = null;
  await userFiles.db.userFiles.clear();
});

function setup(props: { storeAs?: string; expectSha256?: string } = {}) {
  const target = document.createElement('div');
  document.body.append(target);
  const picked: UserFileInfo[] = [];
  // As the data source editor does: the spec's file name follows the picked file.
  const state = $state({ name: '' });
  const app = mount(FilePicker, {
    target,
    props: {
      label: 'Lexicon file',
      ...props,
      get name() {
        return state.name;
      },
      onpicked: (f: UserFileInfo) => {
        picked.push(f);
        state.name = f.name;
      },
    },
  });
  flushSync();
  cleanup = () => (unmount(app), target.remove());
  const input = target.querySelector<HTMLInputElement>('input[type=file]')!;
  const pick = (file: File) => {
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };
  return { target, input, picked, pick };
}

async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  flushSync();
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

const content = 'happy\tjoy\t1\n';

describe('file picker', () => {
  it('is labelled for keyboard use, stores the picked file and shows name, size and sha256', async () => {
    const { target, input, picked, pick } = setup();
    expect(target.querySelector(`label[for="${input.id}"]`)?.textContent).toBe('Lexicon file');
    pick(new File([content], 'lex.tsv', { type: 'text/plain' }));
    await until(() => !!target.querySelector('[data-file-name]'), 'the stored file');
    const hash = await sha256Hex(content);
    expect(picked.map((f) => [f.name, f.size, f.sha256])).toEqual([['lex.tsv', content.length, hash]]);
    expect(target.querySelector('[data-file-name]')?.textContent).toContain(hash);
    expect((await userFiles.get('lex.tsv'))?.bytes).toEqual(new TextEncoder().encode(content));
  });

  it('refuse a file whose sha256 differs from the expected one, storing nothing', async () => {
    const { target, picked, pick } = setup({ storeAs: 'nrc.tsv', expectSha256: 'ab'.repeat(32) });
    pick(new File([content], 'nrc.tsv'));
    await until(() => !!target.querySelector('[role=alert]'), 'the refusal');
    expect(target.querySelector('[role=alert]')?.textContent).toMatch(
      /not the file this experiment names.*Nothing was stored/,
    );
    expect(picked).toEqual([]);
    expect(await userFiles.list()).toEqual([]);
  });

  it('show a clear message when the quota is full and keep nothing half-written', async () => {
    const { target, picked, pick } = setup();
    const hook = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    userFiles.db.userFiles.hook('creating', hook);
    try {
      pick(new File([content], 'big.tsv'));
      await until(() => !!target.querySelector('[role=alert]'), 'the quota message');
    } finally {
      userFiles.db.userFiles.hook('creating').unsubscribe(hook);
    }
    expect(target.querySelector('[role=alert]')?.textContent).toMatch(
      /storage for this site is full, so the file "big.tsv" was not saved/,
    );
    expect(picked).toEqual([]);
    expect(await userFiles.list()).toEqual([]);
  });
});
