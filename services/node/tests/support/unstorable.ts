import fc from 'fast-check';

/**
 * Text JSON can carry but PostgreSQL and the canonical JSON cannot: a NUL, and surrogates without
 * their pair (high alone, low alone, the two in the wrong order). Each must be refused at the edge.
 */
export const UNSTORABLE_PIECES = ['\u0000', '\ud800', '\udfff', '\udc00\ud800', '\ud83d'] as const;

/** A string with one unstorable piece somewhere in ordinary text (fc.string is printable ASCII). */
export const unstorableText = fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...UNSTORABLE_PIECES), fc.string({ maxLength: 20 })).map(([a, bad, b]) => `${a}${bad}${b}`);
