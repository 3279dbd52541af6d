// Language codes the language picker offers as checkboxes (the studies' languages first), with names from the
// browser's Intl data. Any other code can still be typed in; the spec schema decides what is valid.
import { STUDY_B_LANGUAGES } from '../../../../workers/contract/specs/geo-unlearning';

const COMMON = ['en', 'fr', 'de', 'es', 'nl', 'it', 'pt', 'ru', 'zh', 'ja', 'ko', 'ar', 'hi', 'tr', 'pl', 'el'];

export const LANGUAGE_CODES: readonly string[] = [...new Set([...COMMON, ...STUDY_B_LANGUAGES])];

const names =
  typeof Intl !== 'undefined' && 'DisplayNames' in Intl ? new Intl.DisplayNames(['en'], { type: 'language' }) : null;

/** "fr" → "French (fr)"; an unknown code is shown as itself. */
export function languageName(code: string): string {
  try {
    const name = names?.of(code === 'iw' ? 'he' : code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}
