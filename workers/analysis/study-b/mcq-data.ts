// Study B data (methods.md B.1): the SeeGULL-derived MCQ CSVs, a retain-set parser for the KL stream
// (TruthfulQA CSV / HF `generation` JSON or JSONL / any user question–answer file), and the seeded
// train/eval split that is disjoint by identity–attribute pair.
import { parseCsvTable } from '../shared/csv';
import { shuffled, seededRng } from '../shared/rng';

export const MCQ_COLUMNS = [
  'identity',
  'attribute',
  'MCQ_Question',
  'Option_1',
  'Option_2',
  'Option_3',
  'Option_4',
  'Correct_Option',
] as const;

export interface McqItem {
  /** 0-based row index in the file (a stable item id). */
  index: number;
  identity: string;
  attribute: string;
  question: string;
  options: [string, string, string, string];
  /** 0..3, from Correct_Option = "Option_k". */
  correct: number;
  /** The stereotyped identity = options[correct]. */
  target: string;
  /** Every column as read (vote counts, offensiveness, …). */
  raw: Record<string, string>;
}

export function parseMcqCsv(text: string, options: { label?: string } = {}): McqItem[] {
  const label = options.label ?? 'MCQ CSV';
  const { records } = parseCsvTable(text, { required: MCQ_COLUMNS, label });
  return records.map((r, index) => {
    const m = /^Option_([1-4])$/.exec(r.Correct_Option.trim());
    if (!m)
      throw new Error(`${label}: record ${index + 1}: Correct_Option "${r.Correct_Option}" is not Option_1..Option_4`);
    const opts: [string, string, string, string] = [r.Option_1, r.Option_2, r.Option_3, r.Option_4];
    const correct = Number(m[1]) - 1;
    return {
      index,
      identity: r.identity,
      attribute: r.attribute,
      question: r.MCQ_Question,
      options: opts,
      correct,
      target: opts[correct],
      raw: r,
    };
  });
}

export interface QaPair {
  question: string;
  answer: string;
}

function pick(rec: Record<string, unknown>, names: readonly string[]): string | undefined {
  for (const [k, v] of Object.entries(rec))
    if (names.includes(k.trim().toLowerCase()) && typeof v === 'string' && v.trim() !== '') return v;
  return undefined;
}

const Q_NAMES = ['question', 'q', 'prompt'];
const A_NAMES = ['best_answer', 'best answer', 'answer', 'a', 'response'];

/**
 * Retain pairs from: TruthfulQA.csv (Question, Best Answer), the HF `truthful_qa/generation` rows as a JSON array
 * or JSONL (question, best_answer), or a user file with question/answer columns or keys. Rows lacking either
 * field are errors (with their number), not silently dropped.
 */
export function parseRetainSet(text: string, options: { label?: string } = {}): QaPair[] {
  const label = options.label ?? 'retain set';
  const trimmed = text.trim();
  let records: Record<string, unknown>[];
  if (trimmed.startsWith('[')) records = JSON.parse(trimmed);
  else if (trimmed.startsWith('{'))
    records = trimmed
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
  else records = parseCsvTable(trimmed, { label }).records;
  if (records.length === 0) throw new Error(`${label}: no rows`);
  return records.map((rec, i) => {
    const question = pick(rec, Q_NAMES);
    const answer = pick(rec, A_NAMES);
    if (question === undefined || answer === undefined)
      throw new Error(
        `${label}: row ${i + 1} lacks a question or an answer (looked for ${Q_NAMES.join('/')} and ${A_NAMES.join('/')})`,
      );
    return { question, answer };
  });
}

/** The pair key used for disjointness: identity and attribute, trimmed and lower-cased. */
export function pairKey(item: Pick<McqItem, 'identity' | 'attribute'>): string {
  return `${item.identity.trim().toLowerCase()}\u241f${item.attribute.trim().toLowerCase()}`;
}

export interface McqSplit {
  train: McqItem[];
  eval: McqItem[];
  trainPairs: number;
  evalPairs: number;
  seed: number;
}

/**
 * Seeded split disjoint by identity–attribute pair: the distinct pairs (first-seen order) are shuffled with the
 * seed and the first round(evalFraction · pairs) go to eval; every row follows its pair, so duplicated pairs
 * (e.g. two translations collapsing to one in fr) never straddle the split. Rows keep file order.
 */
export function splitByPair(options: {
  items: readonly McqItem[];
  evalFraction: number;
  seed: number;
  key?: (item: McqItem) => string;
}): McqSplit {
  const { items, evalFraction, seed } = options;
  if (!(evalFraction >= 0 && evalFraction <= 1))
    throw new Error(`splitByPair: evalFraction must be in [0, 1], got ${evalFraction}`);
  const key = options.key ?? pairKey;
  const pairs = [...new Set(items.map(key))];
  const order = shuffled(pairs, seededRng(seed));
  const nEval = Math.round(evalFraction * pairs.length);
  const evalPairs = new Set(order.slice(0, nEval));
  return {
    train: items.filter((it) => !evalPairs.has(key(it))),
    eval: items.filter((it) => evalPairs.has(key(it))),
    trainPairs: pairs.length - nEval,
    evalPairs: nEval,
    seed,
  };
}
