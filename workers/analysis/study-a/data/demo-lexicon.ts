// DEMO emotion lexicon, written by the Stereoscope project for tests and the offline demo. It is NOT the NRC
// Emotion Lexicon and its 0/1 values are our own rough judgements, not NRC annotations: never report results
// computed with it as study results. Shape: the wide NRC layout (English word, 10 emotions, translations).
import { NRC_EMOTIONS } from '../emotions';
import type { Lexicon } from '../lexicon';

// Columns: english, emotions as a 10-char 0/1 string in NRC order (anger anticipation disgust fear joy negative
// positive sadness surprise trust), then fr, es, de translations ('' = none).
const ROWS: [string, string, string, string, string][] = [
  ['happy', '0000101000', 'heureux', 'feliz', 'glücklich'],
  ['sad', '0000010100', 'triste', 'triste', 'traurig'],
  ['angry', '1000010000', 'fâché', 'enfadado', 'wütend'],
  ['afraid', '0001010000', 'effrayé', 'asustado', 'ängstlich'],
  ['kind', '0000101001', 'gentil', 'amable', 'freundlich'],
  ['cruel', '1010010000', 'cruel', 'cruel', 'grausam'],
  ['lazy', '0000010000', 'paresseux', 'perezoso', 'faul'],
  ['smart', '0000001001', 'intelligent', 'listo', 'klug'],
  ['stupid', '0000010000', 'stupide', 'estúpido', 'dumm'],
  ['beautiful', '0000101000', 'beau', 'hermoso', 'schön'],
  ['dirty', '0010010000', 'sale', 'sucio', 'schmutzig'],
  ['dangerous', '0001010000', 'dangereux', 'peligroso', 'gefährlich'],
  ['honest', '0000001001', 'honnête', 'honesto', 'ehrlich'],
  ['rich', '0000001000', 'riche', 'rico', 'reich'],
  ['poor', '0000010100', 'pauvre', 'pobre', 'arm'],
  ['strange', '0000000010', 'étrange', 'extraño', 'seltsam'],
  ['loud', '1000010000', 'bruyant', 'ruidoso', 'laut'],
  ['quiet', '0000001000', 'calme', 'callado', 'ruhig'],
  ['funny', '0000101010', 'drôle', 'gracioso', 'lustig'],
  ['violent', '1011010000', 'violent', 'violento', 'gewalttätig'],
  ['hopeful', '0100101001', 'plein d’espoir', 'esperanzado', 'hoffnungsvoll'],
  ['weird', '0010010010', 'bizarre', 'raro', 'komisch'],
  ['good', '0100101001', 'bon', 'bueno', 'gut'],
  ['bad', '1010010100', 'mauvais', 'malo', 'schlecht'],
  ['arrogant', '1000010000', 'arrogant', 'arrogante', 'arrogant'],
  ['proud', '0100101001', 'fier', 'orgulloso', 'stolz'],
  ['religious', '0000000001', 'religieux', 'religioso', 'religiös'],
  ['strong', '0000001001', 'fort', 'fuerte', 'stark'],
  ['weak', '0001010100', 'faible', 'débil', 'schwach'],
  ['friendly', '0100101001', 'amical', 'simpático', 'nett'],
];

export const DEMO_LEXICON: Lexicon = {
  name: 'Stereoscope DEMO lexicon (invented values, not NRC)',
  demo: true,
  languages: ['French', 'Spanish', 'German'],
  rows: ROWS.map(([english, bits, fr, es, de]) => {
    if (bits.length !== NRC_EMOTIONS.length) throw new Error(`demo lexicon: bad vector for ${english}`);
    return { english, vector: [...bits].map(Number), translations: { French: fr, Spanish: es, German: de } };
  }),
};
