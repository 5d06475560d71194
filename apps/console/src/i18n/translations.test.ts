import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toCyrillicKeepingPlaceholders } from '@bridge/contract/serbian-script';
import { createInstance } from 'i18next';
import en from './locales/en.json' with { type: 'json' };
import srLatn from './locales/sr-Latn.json' with { type: 'json' };
import srCyrl from './locales/sr-Cyrl.json' with { type: 'json' };
import sq from './locales/sq.json' with { type: 'json' };
import { FORMAT_LOCALES, LANGUAGES, type Language } from './languages.ts';
import { formatDateTime } from './format.ts';

type Tree = { [key: string]: string | Tree };
const locales: Record<Language, Tree> = { en, 'sr-Latn': srLatn, 'sr-Cyrl': srCyrl, sq };

/** The plural forms each language must have, per CLDR; stated here so an ICU update cannot lower the bar. */
const PLURAL_FORMS: Record<Language, string[]> = { en: ['one', 'other'], 'sr-Latn': ['few', 'one', 'other'], 'sr-Cyrl': ['few', 'one', 'other'], sq: ['one', 'other'] };
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

/** Message key → the plural forms it has (empty for a plain message). */
function messages(tree: Tree): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of flatten(tree).keys()) {
    const form = PLURAL_SUFFIX.exec(key)?.[1];
    const base = key.replace(PLURAL_SUFFIX, '');
    out.set(base, [...(out.get(base) ?? []), ...(form ? [form] : [])]);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('console translations', () => {
  const english = messages(en);

  it.each(LANGUAGES)('%s has every message of en and no other, with its own plural forms', (language) => {
    const own = messages(locales[language]);
    expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
    expect(PLURAL_FORMS[language]).toEqual([...new Intl.PluralRules(FORMAT_LOCALES[language]).resolvedOptions().pluralCategories].sort());
    for (const [key, forms] of english) {
      const expected = forms.length === 0 ? [] : PLURAL_FORMS[language];
      expect(own.get(key)?.sort(), `${language} ${key}`).toEqual(expected);
    }
  });

  it.each(LANGUAGES)('%s fills every message, with the placeholders of en', (language) => {
    const englishText = flatten(en);
    for (const [key, text] of flatten(locales[language])) {
      expect(text.trim(), `${language} ${key}`).not.toBe('');
      const englishKey = englishText.has(key) ? key : `${key.replace(PLURAL_SUFFIX, '')}_other`;
      expect(placeholders(text), `${language} ${key}`).toEqual(placeholders(englishText.get(englishKey) ?? ''));
    }
  });

  it('writes sr-Cyrl in Cyrillic as the same words as sr-Latn, and the others without Cyrillic', () => {
    const latin = flatten(srLatn);
    for (const [key, text] of flatten(srCyrl)) {
      expect(text, key).toBe(toCyrillicKeepingPlaceholders(latin.get(key) ?? ''));
      expect(text.replace(/\{\{\w+\}\}/g, ''), key).not.toMatch(/[A-Za-z]/);
    }
    for (const language of ['en', 'sr-Latn', 'sq'] as const) for (const [key, text] of flatten(locales[language])) expect(text, `${language} ${key}`).not.toMatch(/[\u0400-\u04FF]/);
    expect([...flatten(srLatn).values()].some((text) => /[šđčćž]/.test(text))).toBe(true);
    expect([...flatten(sq).values()].some((text) => /[ëç]/.test(text))).toBe(true);
  });

  it('has every key the console asks for', () => {
    const keys = new Set(english.keys());
    const sourceDir = new URL('../', import.meta.url);
    const sources = readdirSync(sourceDir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'));
    const asked = new Set<string>();
    for (const file of sources) {
      const text = readFileSync(new URL(file, sourceDir), 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z_.-]+)'/g)) asked.add(match[1]!);
      // keys built from a code: `roles.${role}` must exist for every value the code can take
      for (const match of text.matchAll(/`([a-zA-Z_.]+)\.\$\{/g)) expect(keys.has(match[1]!) || [...keys].some((k) => k.startsWith(`${match[1]}.`)), `${file}: ${match[1]}`).toBe(true);
    }
    expect(asked.size).toBeGreaterThan(40);
    for (const key of asked) expect(keys.has(key), key).toBe(true);
    for (const role of ['case_worker', 'supervisor', 'auditor', 'operator']) {
      expect(keys.has(`roles.${role}`)).toBe(true);
      expect(keys.has(`home.roles.${role}`)).toBe(true);
    }
    for (const reason of ['signed-out', 'timed-out', 'ended']) expect(keys.has(`signIn.reason.${reason}`)).toBe(true);
    for (const method of ['passkey', 'password', 'recovery_code', 'oidc']) expect(keys.has(`signInMethods.${method}`)).toBe(true);
    for (const status of ['invited', 'active', 'disabled']) expect(keys.has(`userStatus.${status}`)).toBe(true);
  });

  it('picks the plural form of each language, and never falls back from one Serbian script to the other', async () => {
    const i18n = createInstance();
    await i18n.init({
      resources: Object.fromEntries(Object.entries(locales).map(([lng, translation]) => [lng, { translation }])),
      lng: 'en',
      load: 'currentOnly',
      fallbackLng: 'en',
    });
    expect(i18n.t('sessions.caption', { lng: 'sr-Latn', count: 1 })).toBe('1 sesija');
    expect(i18n.t('sessions.caption', { lng: 'sr-Latn', count: 3 })).toBe('3 sesije');
    expect(i18n.t('sessions.caption', { lng: 'sr-Cyrl', count: 22 })).toBe('22 сесије');
    expect(i18n.t('sessions.caption', { lng: 'sr-Cyrl', count: 5 })).toBe('5 сесија');
    expect(i18n.t('sessions.caption', { lng: 'sq', count: 1 })).toBe('1 seancë');
    expect(i18n.t('sessions.caption', { lng: 'sq', count: 2 })).toBe('2 seanca');
    expect(i18n.t('shell.language', { lng: 'sr-Cyrl' })).toBe('Језик');
  });

  it('formats dates in the language of the user on a 24-hour clock, Albanian as in Kosovo', () => {
    const at = new Date(2026, 2, 14, 15, 7);
    for (const language of LANGUAGES) expect(formatDateTime(at, language), language).toMatch(/15:07/);
    expect(FORMAT_LOCALES.sq).toBe('sq-XK');
    expect(Object.values(FORMAT_LOCALES)).not.toContain('sr');
    // the long form shows the script: Cyrillic month names for sr-Cyrl only
    const month = (locale: string) => new Intl.DateTimeFormat(locale, { month: 'long' }).format(at);
    expect(month(FORMAT_LOCALES['sr-Cyrl'])).toBe('март');
    expect(month(FORMAT_LOCALES['sr-Latn'])).toBe('mart');
  });
});
