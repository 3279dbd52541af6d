// The ten NRC EmoLex dimensions and the two column orders in use: seed A's (the lexicon file's alphabetical
// order, methods.md A.2 step 6) and Choenni's (compute_emotion_scores.py). Vectors are stored in NRC order.

export const NRC_EMOTIONS = [
  'anger',
  'anticipation',
  'disgust',
  'fear',
  'joy',
  'negative',
  'positive',
  'sadness',
  'surprise',
  'trust',
] as const;
export type Emotion = (typeof NRC_EMOTIONS)[number];

/** Choenni's published column order (aggregate_emotion_scores/*.json and her plots). */
export const CHOENNI_EMOTIONS: readonly Emotion[] = [
  'negative',
  'positive',
  'disgust',
  'anger',
  'sadness',
  'fear',
  'trust',
  'joy',
  'surprise',
  'anticipation',
];

/** Display names as Choenni capitalises them. */
export function emotionLabel(e: Emotion): string {
  return e[0].toUpperCase() + e.slice(1);
}

/** A 10-vector in NRC order re-ordered into `order` (by name, so it cannot silently misalign). */
export function reorder(vectorNrc: readonly number[], order: readonly Emotion[]): number[] {
  if (vectorNrc.length !== NRC_EMOTIONS.length) throw new Error(`reorder: expected 10 values, got ${vectorNrc.length}`);
  return order.map((e) => vectorNrc[NRC_EMOTIONS.indexOf(e)]);
}

/** Inverse of reorder: a vector given in `order` back into NRC order. */
export function toNrcOrder(vector: readonly number[], order: readonly Emotion[]): number[] {
  if (vector.length !== order.length || order.length !== NRC_EMOTIONS.length)
    throw new Error('toNrcOrder: expected 10 values in a 10-emotion order');
  return NRC_EMOTIONS.map((e) => vector[order.indexOf(e)]);
}

/** Named columns, so tables and charts can pick either order without index arithmetic. */
export function namedEmotions(vectorNrc: readonly number[]): Record<Emotion, number> {
  const out = {} as Record<Emotion, number>;
  NRC_EMOTIONS.forEach((e, i) => (out[e] = vectorNrc[i]));
  return out;
}
