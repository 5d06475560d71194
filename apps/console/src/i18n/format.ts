import { FORMAT_LOCALES, type Language } from './languages.ts';

/** A date and time in the user's language, always on a 24-hour clock. */
export function formatDateTime(value: Date | string, language: Language): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return new Intl.DateTimeFormat(FORMAT_LOCALES[language], { dateStyle: 'long', timeStyle: 'short', hourCycle: 'h23' }).format(date);
}
