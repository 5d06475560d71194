/**
 * Writes src/i18n/locales/sr-Cyrl.json from sr-Latn.json: Serbian is translated once, in Latin, and
 * transliterated. The translations test fails when the two disagree, so run this after editing sr-Latn:
 *   pnpm --filter @bridge/console i18n:cyrillic
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { toCyrillicKeepingPlaceholders } from '@bridge/contract/serbian-script';

type Tree = { [key: string]: string | Tree };

const transliterate = (tree: Tree): Tree =>
  Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, typeof value === 'string' ? toCyrillicKeepingPlaceholders(value) : transliterate(value)]));

const dir = new URL('../src/i18n/locales/', import.meta.url);
const latin = JSON.parse(readFileSync(new URL('sr-Latn.json', dir), 'utf8')) as Tree;
writeFileSync(new URL('sr-Cyrl.json', dir), `${JSON.stringify(transliterate(latin), null, 2)}\n`);
