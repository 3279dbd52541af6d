// The Study A comparison view mounted in headless Chromium with a comparison computed by the real maths from
// small invented profiles: the RSA table, the Δ grid (ours − published) and the paired bars for a picked group.
import { flushSync, mount, unmount } from 'svelte';
import { describe, expect, it } from 'vitest';
import ReferenceCompare from '../../src/lib/components/study-a/reference-compare.svelte';
import { NRC_EMOTIONS } from '../../workers/analysis/study-a/emotions';
import { compareReferenceByCategory } from '../../workers/analysis/study-a/reference-scores';
import type { ReferenceResult } from '../../workers/contract/results/emotion-profiles';

const v = (...xs: number[]) => [...xs, ...new Array(10 - xs.length).fill(0)];

describe('Study A comparison with published scores (view)', () => {
  it('shows per-category RSA, the Δ grid and paired bars, and says which groups have no profile', () => {
    const ours = new Map([
      [
        'race',
        new Map<string, number[] | undefined>([
          ['a', v(50, 20)],
          ['b', v(10, 40)],
          ['c', v(30, 30)],
          ['d', undefined],
        ]),
      ],
    ]);
    const report = compareReferenceByCategory({
      ours,
      reference: ['a', 'b', 'c', 'd', 'zz'].map((group, i) => ({
        group,
        profile: v(40 - i, 25 + i),
        matchedWords: [],
      })),
    });
    const reference: ReferenceResult = {
      ...report,
      source: 'https://example.org/XLMR-B.json',
      label: 'XLMR-B',
      language: 'en',
      oursScaledBy: 1,
    };
    const target = document.createElement('div');
    document.body.append(target);
    const app = mount(ReferenceCompare, { target, props: { reference, emotions: [...NRC_EMOTIONS] } });
    flushSync();
    try {
      const rsaRows = [...target.querySelectorAll('table.rsa tbody tr')].map((r) =>
        [...r.querySelectorAll('td')].map((td) => td.textContent),
      );
      expect(rsaRows.map((r) => r[0])).toEqual(['race', 'all']);
      expect(rsaRows[0][1]).toBe('3');
      const delta = [...target.querySelectorAll('table.delta tbody tr')];
      expect(delta.map((r) => r.querySelector('th')!.textContent)).toEqual(['a', 'b', 'c']);
      // a: ours 50 vs published 40 on anger → +10.0
      expect(delta[0].querySelectorAll('td')[0].textContent).toBe('10.0');
      expect(target.textContent).toContain('not in this run: zz');
      expect(target.querySelectorAll('rect.first')).toHaveLength(10);
      const select = target.querySelector('select')!;
      select.value = 'd';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      flushSync();
      expect(target.querySelectorAll('rect.first')).toHaveLength(0);
      expect(target.querySelectorAll('rect.second')).toHaveLength(10);
      expect(target.textContent).toContain('(no lexicon match)');
    } finally {
      unmount(app);
      target.remove();
    }
  });
});
