import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { AccountsConfig } from '../config.ts';

/** Common and breached passwords (the zxcvbn-ts list drawn from breach corpora), lower case. */
const COMMON = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

export type PasswordProblem = 'too_short' | 'too_long' | 'too_common' | 'contains_context';

export const normalisePassword = (password: string): string => password.normalize('NFKC');

/**
 * NIST SP 800-63B and ASVS 6.2: 15 to 256 characters (code points, after NFKC), no composition
 * rules, not a known common or breached password, not built on the account's or node's names.
 */
export function passwordProblem(password: string, context: readonly string[]): PasswordProblem | null {
  const normal = normalisePassword(password);
  const length = [...normal].length;
  if (length < 15) return 'too_short';
  if (length > 256) return 'too_long';
  const lower = normal.toLowerCase();
  const squeezed = lower.replace(/[^\p{L}\p{N}]/gu, '');
  if (COMMON.has(lower) || COMMON.has(squeezed) || new Set(lower).size <= 3) return 'too_common';
  // A password that is mostly context words (the username, the node's id or name, "bridge"): what is
  // left without them is too short to matter.
  let rest = squeezed;
  const words = [...context, 'bridge'].map((w) => w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')).filter((w) => w.length >= 3);
  for (const word of words) rest = rest.split(word).join('');
  if (rest.length < squeezed.length && rest.length < 8) return 'contains_context';
  return null;
}

// 2 is Algorithm.Argon2id (a const enum, which this build cannot import).
const ARGON2ID = 2;
const options = (config: AccountsConfig) => ({ algorithm: ARGON2ID, ...config.argon2, outputLen: 32 });

export const hashPassword = (config: AccountsConfig, password: string): Promise<string> => hash(normalisePassword(password), options(config));

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, normalisePassword(password));
  } catch {
    return false;
  }
}

/** The stored hash is weaker than the configured cost (or not argon2id): rehash at the next sign-in. */
export function needsRehash(config: AccountsConfig, stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!m) return true;
  return Number(m[1]) < config.argon2.memoryCost || Number(m[2]) < config.argon2.timeCost || Number(m[3]) !== config.argon2.parallelism;
}

/**
 * A hash of nothing anyone knows, verified when the username is unknown so that an unknown user takes
 * as long as a wrong password (ASVS 6.3.8). One per cost setting, computed once.
 */
const dummies = new Map<string, Promise<string>>();
export function dummyHash(config: AccountsConfig): Promise<string> {
  const key = JSON.stringify(config.argon2);
  if (!dummies.has(key)) dummies.set(key, hash(`dummy-${Math.random()}-${Date.now()}`, options(config)));
  return dummies.get(key)!;
}
