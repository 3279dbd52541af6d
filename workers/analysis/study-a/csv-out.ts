// CSV tables shaped like the original outputs: one table per language and category, rows = groups, 10 emotion
// columns (seed A: pandas `to_csv(index=True)` of the profile DataFrame, so the first header cell is empty and an
// undefined profile — the original's 0/0 — is written as empty cells, which is how pandas writes NaN).

import { CHOENNI_EMOTIONS, NRC_EMOTIONS, emotionLabel, reorder, type Emotion } from './emotions';
import { formatCsv } from '../../contract/csv';

export function profileTableCsv(options: {
  groups: readonly string[];
  profiles: ReadonlyMap<string, readonly number[] | undefined>;
  order?: 'nrc' | 'choenni';
}): string {
  const order: readonly Emotion[] = options.order === 'choenni' ? CHOENNI_EMOTIONS : NRC_EMOTIONS;
  const header = ['', ...order.map((e) => (options.order === 'choenni' ? emotionLabel(e) : e))];
  const rows = options.groups.map((g) => {
    const p = options.profiles.get(g);
    return [g, ...(p ? reorder(p, order) : order.map(() => ''))];
  });
  return formatCsv([header, ...rows]);
}

/** File name for one table, e.g. `emotion_profiles/French/religion.csv` like the original layout. */
export function profileTablePath(options: { language: string; category: string }): string {
  return `emotion_profiles/${options.language}/${options.category}.csv`;
}
