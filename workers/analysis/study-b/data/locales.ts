// Study B per-language strings (methods.md B.1/B.3): training Q/A labels, the four "unknown" phrases (the 2nd is
// the training answer of the unk stream) and the evaluation instruction. `fromStudy` marks the strings that
// methods.md quotes from the original; everything else is the Stereoscope project's own localisation.
import type { StudyBLanguage } from '../../../contract/specs/geo-unlearning';

export interface StudyBLocale {
  name: string;
  questionLabel: string;
  answerLabel: string;
  /** Exactly four; index 1 is the unk-stream training answer. */
  unknownPhrases: [string, string, string, string];
  instruction: string;
  /** Which fields are the study's own strings; the rest are ours. */
  fromStudy: ('questionLabel' | 'answerLabel' | 'unknown0' | 'unknown1' | 'unknown2' | 'unknown3' | 'instruction')[];
}

export const STUDY_B_LOCALES: Record<StudyBLanguage, StudyBLocale> = {
  en: {
    name: 'English',
    questionLabel: 'Question: ',
    answerLabel: 'Answer: ',
    unknownPhrases: ['Cannot be determined', 'Unknown', 'Not enough information', 'Unclear'],
    instruction: 'Choose one of the options above.',
    fromStudy: ['questionLabel', 'answerLabel', 'unknown0', 'unknown1', 'unknown2', 'unknown3', 'instruction'],
  },
  fr: {
    name: 'French',
    questionLabel: 'Question: ',
    answerLabel: 'Réponse: ',
    unknownPhrases: ['Impossible à déterminer', 'Inconnu', 'Pas assez d’informations', 'Pas clair'],
    instruction: 'Choisissez une des options ci-dessus.',
    fromStudy: ['answerLabel', 'unknown1', 'instruction'],
  },
  hi: {
    name: 'Hindi',
    questionLabel: 'प्रश्न: ',
    answerLabel: 'उत्तर: ',
    unknownPhrases: ['तय नहीं किया जा सकता', 'अज्ञात', 'पर्याप्त जानकारी नहीं है', 'स्पष्ट नहीं'],
    instruction: 'उपरोक्त विकल्पों में से एक चुनें।',
    fromStudy: ['questionLabel', 'answerLabel', 'unknown1', 'instruction'],
  },
  ar: {
    name: 'Arabic',
    questionLabel: 'سؤال: ',
    answerLabel: 'الإجابة: ',
    unknownPhrases: ['لا يمكن تحديد ذلك', 'غير معروف', 'لا توجد معلومات كافية', 'غير واضح'],
    instruction: 'اختر أحد الخيارات أعلاه.',
    fromStudy: [],
  },
  fa: {
    name: 'Persian',
    questionLabel: 'پرسش: ',
    answerLabel: 'پاسخ: ',
    unknownPhrases: ['نمی‌توان تعیین کرد', 'نامعلوم', 'اطلاعات کافی نیست', 'نامشخص'],
    instruction: 'یکی از گزینه‌های بالا را انتخاب کنید.',
    fromStudy: [],
  },
  iw: {
    name: 'Hebrew',
    questionLabel: 'שאלה: ',
    answerLabel: 'תשובה: ',
    unknownPhrases: ['לא ניתן לקבוע', 'לא ידוע', 'אין מספיק מידע', 'לא ברור'],
    instruction: 'בחרו אחת מהאפשרויות שלמעלה.',
    fromStudy: [],
  },
  id: {
    name: 'Indonesian',
    questionLabel: 'Pertanyaan: ',
    answerLabel: 'Jawaban: ',
    unknownPhrases: ['Tidak dapat ditentukan', 'Tidak diketahui', 'Informasi tidak cukup', 'Tidak jelas'],
    instruction: 'Pilih salah satu opsi di atas.',
    fromStudy: [],
  },
  ja: {
    name: 'Japanese',
    questionLabel: '質問: ',
    answerLabel: '回答: ',
    unknownPhrases: ['判断できない', '不明', '情報が足りない', 'はっきりしない'],
    instruction: '上の選択肢から一つ選んでください。',
    fromStudy: [],
  },
  ko: {
    name: 'Korean',
    questionLabel: '질문: ',
    answerLabel: '답변: ',
    unknownPhrases: ['판단할 수 없음', '알 수 없음', '정보가 부족함', '불분명함'],
    instruction: '위의 선택지 중 하나를 고르세요.',
    fromStudy: [],
  },
  ru: {
    name: 'Russian',
    questionLabel: 'Вопрос: ',
    answerLabel: 'Ответ: ',
    unknownPhrases: ['Невозможно определить', 'Неизвестно', 'Недостаточно информации', 'Неясно'],
    instruction: 'Выберите один из вариантов выше.',
    fromStudy: [],
  },
};
