import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import srLatn from './locales/sr-Latn.json';
import srCyrl from './locales/sr-Cyrl.json';
import sq from './locales/sq.json';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from './languages.ts';

export const resources = { en, 'sr-Latn': srLatn, 'sr-Cyrl': srCyrl, sq } as const;

// The language chosen on this device before anyone signs in; once signed in, the user's own choice
// (kept by the node) wins. A language code is not personal data.
const DEVICE_KEY = 'bridge.console.language';

export function deviceLanguage(): Language {
  try {
    const stored = window.localStorage.getItem(DEVICE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // storage may be disabled; fall through to the default
  }
  return DEFAULT_LANGUAGE;
}

export function rememberOnDevice(language: Language): void {
  try {
    window.localStorage.setItem(DEVICE_KEY, language);
  } catch {
    // not remembered on this device: the user's own setting still is
  }
}

export async function createI18n(language: Language): Promise<i18n> {
  const instance = i18next.createInstance();
  await instance.use(initReactI18next).init({
    resources: Object.fromEntries(Object.entries(resources).map(([lng, translation]) => [lng, { translation }])),
    lng: language,
    // `currentOnly`: sr-Latn must not fall back through a bare `sr` to the other script.
    load: 'currentOnly',
    supportedLngs: ['en', 'sr-Latn', 'sr-Cyrl', 'sq'],
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  return instance;
}
