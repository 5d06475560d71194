/**
 * Serbian is written in two scripts with a one-to-one mapping: Latin letters (and the digraphs lj, nj,
 * dž) to Cyrillic letters. Labels and console strings are written once in Latin and checked (or made)
 * in Cyrillic with this, so the two scripts always say the same words.
 */

// Digraphs first, so that "lj" becomes "љ" and not "лј".
const LATIN_TO_CYRILLIC: [string, string][] = [
  ['lj', 'љ'], ['nj', 'њ'], ['dž', 'џ'], ['Lj', 'Љ'], ['Nj', 'Њ'], ['Dž', 'Џ'], ['LJ', 'Љ'], ['NJ', 'Њ'], ['DŽ', 'Џ'],
  ...[...'abvgdđežzijklmnoprstćufhcčš'].map((l, i) => [l, [...'абвгдђежзијклмнопрстћуфхцчш'][i]!] as [string, string]),
  ...[...'ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ'].map((l, i) => [l, [...'АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ'][i]!] as [string, string]),
];

/** Serbian Latin text in Serbian Cyrillic. */
export function toCyrillic(latin: string): string {
  return LATIN_TO_CYRILLIC.reduce((text, [from, to]) => text.split(from).join(to), latin);
}

/** The same, leaving i18next placeholders (`{{count}}`) as they are: they are names, not words. */
export function toCyrillicKeepingPlaceholders(latin: string): string {
  return latin
    .split(/(\{\{[^}]*\}\})/)
    .map((part) => (part.startsWith('{{') ? part : toCyrillic(part)))
    .join('');
}
