// Building blocks shared by every experiment spec: seed, model reference, data sources, LoRA settings.
// Specs are plain JSON (they travel in share links and spec files), validated with valibot in both hosts.
import * as v from 'valibot';

/** Version of the spec format this build writes and reads. A link or file with a larger number is refused. */
export const SPEC_VERSION = 1;

export const Seed = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff));

/** ISO 639-1 style language code ("en", "fr", "iw" as the B data uses it). */
export const Lang = v.pipe(
  v.string(),
  v.regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'a language code such as "en" or "fr"'),
);

const HubId = v.pipe(
  v.string(),
  v.maxLength(96),
  v.regex(/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/, 'a Hub model id such as "FacebookAI/xlm-roberta-base"'),
);

const HttpsUrl = v.pipe(v.string(), v.maxLength(2048), v.url(), v.regex(/^https?:\/\//, 'an http(s) URL'));

/** Where a model's files come from: the Hugging Face Hub (or a mirror with the same layout), or the app's demo. */
export const ModelRef = v.strictObject({
  id: HubId,
  revision: v.optional(v.pipe(v.string(), v.maxLength(64), v.regex(/^[\w.\-/]+$/, 'a branch, tag or commit')), 'main'),
  /** Base URL of a Hub-compatible host; absent = huggingface.co. `demo:` = the tiny models this app generates. */
  host: v.optional(v.union([HttpsUrl, v.literal('demo:')])),
});
export type ModelRef = v.InferOutput<typeof ModelRef>;

const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a sha256 as 64 lower-case hex digits'));

const FileName = v.pipe(v.string(), v.maxLength(255));
const DemoSource = v.strictObject({ from: v.literal('demo'), name: v.pipe(v.string(), v.regex(/^[\w.-]{1,64}$/)) });

/**
 * A data set or word list: a public URL (checked against sha256 when given), a file the user picks, or demo data.
 * A file source names the file only (the file itself never travels with a spec); its optional sha256 lets a
 * recipient check they picked the same file (added in spec version 1 as an optional field: old specs stay valid).
 */
export const DataSource = v.variant('from', [
  v.strictObject({ from: v.literal('url'), url: HttpsUrl, sha256: v.optional(Sha256) }),
  v.strictObject({ from: v.literal('file'), name: FileName, sha256: v.optional(Sha256) }),
  DemoSource,
]);
export type DataSource = v.InferOutput<typeof DataSource>;

/** `{lang}` in a per-language source's URL or file name stands for the language code (also percent-encoded). */
const LANG_SLOT = /\{lang\}|%7Blang%7D/i;

export function hasLangSlot(urlOrName: string): boolean {
  return LANG_SLOT.test(urlOrName);
}

export function fillLang(urlOrName: string, lang: string): string {
  return urlOrName.replace(new RegExp(LANG_SLOT.source, 'gi'), lang);
}

/**
 * A data source that may hold one file per language (Study B's MCQ set): a DataSource, or a URL / file name with
 * `{lang}` (e.g. the study's `mcq_stereotype_dataset_{lang}.csv`) that expands over the spec's `languages`, each
 * file optionally pinned by its own sha256 (`sha256: {"en": …}`). Added in spec version 1 as a widening of
 * DataSource: every DataSource stays valid here.
 */
export const PerLanguageSource = v.pipe(
  v.variant('from', [
    v.strictObject({
      from: v.literal('url'),
      url: HttpsUrl,
      sha256: v.optional(v.union([Sha256, v.record(Lang, Sha256)])),
    }),
    v.strictObject({
      from: v.literal('file'),
      name: FileName,
      sha256: v.optional(v.union([Sha256, v.record(Lang, Sha256)])),
    }),
    DemoSource,
  ]),
  v.check(
    (s) =>
      s.from === 'demo' ||
      s.sha256 === undefined ||
      (typeof s.sha256 === 'string') !== hasLangSlot(s.from === 'url' ? s.url : s.name),
    'a URL or file name with {lang} names one file per language: pin it with one sha256 per language ({"en": "…", "fr": "…"}); a single file takes a single sha256',
  ),
);
export type PerLanguageSource = v.InferOutput<typeof PerLanguageSource>;

/**
 * The one-file sources a per-language source stands for: `{lang}` filled in for each language with that
 * language's sha256; a source without `{lang}` is the same file for every language (language: null).
 */
export function perLanguageFiles(
  src: PerLanguageSource,
  languages: readonly string[],
): { language: string | null; source: DataSource }[] {
  if (src.from === 'demo') return [{ language: null, source: src }];
  const target = src.from === 'url' ? src.url : src.name;
  if (!hasLangSlot(target)) {
    if (typeof src.sha256 === 'object')
      throw new Error(`${target} names one file: pin it with a single sha256, not one per language`);
    return [{ language: null, source: src as DataSource }];
  }
  if (typeof src.sha256 === 'string')
    throw new Error(
      `${target} names one file per language, so a single sha256 cannot check them: give one sha256 per language ({"en": "…"}) or none`,
    );
  const pins = src.sha256 ?? {};
  const unpinned = languages.filter((l) => !pins[l]);
  if (src.sha256 && unpinned.length)
    throw new Error(
      `${target}: the sha256 list pins ${Object.keys(pins).join(', ')} but not ${unpinned.join(', ')}; pin every evaluated language or none`,
    );
  return languages.map((l) => {
    const sha256 = pins[l];
    const one =
      src.from === 'url'
        ? { from: 'url' as const, url: fillLang(src.url, l) }
        : { from: 'file' as const, name: fillLang(src.name, l) };
    return { language: l, source: sha256 ? { ...one, sha256 } : one };
  });
}

export const Lora = v.strictObject({
  rank: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(256)),
  alpha: v.pipe(v.number(), v.minValue(0), v.maxValue(1024)),
  dropout: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(0.9)), 0),
});

export const PositiveInt = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(max));
export const Rate = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
export const LearningRate = v.pipe(v.number(), v.gtValue(0), v.maxValue(1));

/** Fields every spec starts with. */
export const baseEntries = {
  version: v.literal(SPEC_VERSION),
  title: v.optional(v.pipe(v.string(), v.maxLength(200))),
  seed: Seed,
};

/** Hosts a model reference downloads from, in words a user can check before clicking Run. */
export function modelHost(m: ModelRef): string {
  if (m.host === 'demo:') return 'none (demo model generated by this app)';
  return new URL(m.host ?? 'https://huggingface.co').host;
}

export function sourceHost(s: DataSource | PerLanguageSource): string {
  if (s.from === 'url') return new URL(s.url).host;
  if (s.from === 'file')
    return hasLangSlot(s.name)
      ? `none (one file per language you pick: ${s.name})`
      : `none (a file you pick: ${s.name})`;
  return 'none (demo data served by this app)';
}
