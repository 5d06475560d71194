import { z } from 'zod';

/**
 * Text the contract cannot carry: NUL (PostgreSQL text and jsonb refuse it) and a surrogate code
 * unit without its pair (not a Unicode scalar value, so not UTF-8, and RFC 8785 cannot canonicalise
 * it). JSON can spell both (`\u0000`, `\ud800`), so every string of every surface is checked.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = 'holds a NUL character or an unpaired surrogate';

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** Where in `value` the first string (a value or a property name) that cannot be stored is, or undefined. */
export function unstorableTextPath(value: unknown): Array<string | number> | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = unstorableTextPath(value[i]);
      if (inner) return [i, ...inner];
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      // A bad property name is reported at its object, never quoted.
      if (!isStorableText(key)) return [];
      const inner = unstorableTextPath(item);
      if (inner) return [key, ...inner];
    }
  }
  return undefined;
}

/**
 * `schema`, after a check that no string in the input is one the contract cannot carry: the one
 * place every request body, query and path of the node is refined (its validator compiler wraps
 * every route schema in it). The issue's path points at the string; its message never quotes it.
 */
export function storableText<T extends z.ZodType>(schema: T) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const path = unstorableTextPath(value);
      if (path) ctx.addIssue({ code: 'custom', path, message: UNSTORABLE_TEXT_MESSAGE });
    })
    .pipe(schema);
}
