/**
 * The console's languages. Serbian is always named with its script: a bare `sr` means Cyrillic to CLDR
 * and would leak one script into the other, so it is never a choice, a bundle or a fallback.
 */
export const LANGUAGES = ['en', 'sr-Latn', 'sr-Cyrl', 'sq'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language's name in itself, as the switcher shows it. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  'sr-Latn': 'Srpski (latinica)',
  'sr-Cyrl': 'Српски (ћирилица)',
  sq: 'Shqip',
};

/**
 * The locale dates and numbers are formatted in: Albanian as spoken in Kosovo (`sq-XK` has a 24-hour
 * clock, bare `sq` a 12-hour one), Serbian with its script and region.
 */
export const FORMAT_LOCALES: Record<Language, string> = {
  en: 'en-GB',
  'sr-Latn': 'sr-Latn-RS',
  'sr-Cyrl': 'sr-Cyrl-RS',
  sq: 'sq-XK',
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}
