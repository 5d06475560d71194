import fc from 'fast-check';

/**
 * Text JSON can carry but PostgreSQL and the canonical JSON cannot: a NUL, and surrogates without
 * their pair (high alone, low alone, the two in the wrong order). Each must be refused at the edge.
 */
export const UNSTORABLE_PIECES = ['\u0000', '\ud800', '\udfff', '\udc00\ud800', '\ud83d'] as const;

/** A string with one unstorable piece somewhere in ordinary text (fc.string is printable ASCII). */
export const unstorableText = fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...UNSTORABLE_PIECES), fc.string({ maxLength: 20 })).map(([a, bad, b]) => `${a}${bad}${b}`);

type Path = Array<string | number>;

/** The path of every string value in a JSON value. */
export function stringPaths(value: unknown, at: Path = []): Path[] {
  if (typeof value === 'string') return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...at, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...at, k]));
  return [];
}

/** A deep copy of `value` with the string at `path` replaced by `text`. */
export function withTextAt<T>(value: T, path: Path, text: string): T {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = text;
  return copy as T;
}
