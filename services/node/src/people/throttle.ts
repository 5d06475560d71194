import { sql } from 'drizzle-orm';
import type { AccountsConfig } from '../config.ts';
import type { Executor } from '../db/client.ts';
import { BridgeError } from '../errors.ts';
import { tokenHash } from './secrets.ts';

/**
 * Throttling of every factor, in PostgreSQL so replicas share it (NIST SP 800-63B 3.2.2, ASVS 6.3.1).
 * An attempt is counted as a failure *before* it is checked (and forgiven on success), so a parallel
 * burst cannot get more guesses than the cap. Per account, keyed by a hash of the normalised
 * username, so an unknown name is throttled exactly like a known one; per client address, across
 * accounts. After `accountDelayAfter` failures each further one makes the account wait (30 s,
 * doubling, at most `maxDelayMs`); at `accountLockAfter` it is locked until an operator unlocks it.
 */
export interface Throttle {
  accountKey: string;
  addressKey: string;
  /** Hard-locked: the attempt must fail like a wrong secret, whatever is presented. */
  locked: boolean;
}

export const accountKey = (username: string): string => `account:${tokenHash(username.normalize('NFKC').toLowerCase())}`;
export const addressKey = (address: string): string => `address:${address}`;

const HARD_LOCK_MS = 100 * 365 * 86_400_000;
const ADDRESS_FORGET_MS = 3600_000;

interface Row {
  key: string;
  failures: number;
  locked_until: Date | string | null;
}

/** Counts the attempt, or refuses it with 429 while the account or address must wait. */
export async function reserveAttempt(tx: Executor, config: AccountsConfig, username: string, address: string, now: Date): Promise<Throttle> {
  const keys = { accountKey: accountKey(username), addressKey: addressKey(address) };
  const forgetBefore = new Date(now.getTime() - ADDRESS_FORGET_MS);
  const result = await tx.execute(sql`
    insert into auth_throttles (key, failures, locked_until, updated_at)
    values (${keys.accountKey}, 1, null, ${now}), (${keys.addressKey}, 1, null, ${now})
    on conflict (key) do update set
      failures = case
        when auth_throttles.locked_until > ${now} then auth_throttles.failures
        when auth_throttles.key like 'address:%' and auth_throttles.updated_at < ${forgetBefore} then 1
        else auth_throttles.failures + 1 end,
      updated_at = ${now}
    returning key, failures, locked_until`);
  const rows = result.rows as unknown as Row[];
  const account = rows.find((r) => r.key === keys.accountKey)!;
  const addr = rows.find((r) => r.key === keys.addressKey)!;
  const until = (r: Row) => (r.locked_until === null ? 0 : new Date(r.locked_until).getTime());
  // Locked: past the cap, or at it with the lock already set (the attempt that reaches the cap is
  // still checked, and its failure sets the lock; one beyond it, e.g. in a parallel burst, is not).
  const locked = account.failures > config.accountLockAfter || (account.failures >= config.accountLockAfter && until(account) > now.getTime());
  const waits = [account, addr].filter((r) => until(r) > now.getTime() && !(r === account && locked));
  if (waits.length > 0) {
    const error = new BridgeError(429, 'rate_limited', 'too many attempts; try again later');
    error.retryAfterSeconds = Math.max(1, Math.ceil((Math.max(...waits.map(until)) - now.getTime()) / 1000));
    throw error;
  }
  return { ...keys, locked };
}

/**
 * The throttle as reserveAttempt would find it, without counting an attempt: 429 while the account or
 * address must wait, and whether the account is locked. For a step that checks no secret itself but
 * must not go ahead for a throttled account (the provider's answer before a local one-time code).
 */
export async function peekAttempt(tx: Executor, config: AccountsConfig, username: string, address: string, now: Date): Promise<Throttle> {
  const keys = { accountKey: accountKey(username), addressKey: addressKey(address) };
  const result = await tx.execute(sql`select key, failures, locked_until from auth_throttles where key in (${keys.accountKey}, ${keys.addressKey})`);
  const rows = result.rows as unknown as Row[];
  const account = rows.find((r) => r.key === keys.accountKey);
  const until = (r: Row) => (r.locked_until === null ? 0 : new Date(r.locked_until).getTime());
  const locked = account !== undefined && account.failures >= config.accountLockAfter;
  const waits = rows.filter((r) => until(r) > now.getTime() && !(r === account && locked));
  if (waits.length > 0) {
    const error = new BridgeError(429, 'rate_limited', 'too many attempts; try again later');
    error.retryAfterSeconds = Math.max(1, Math.ceil((Math.max(...waits.map(until)) - now.getTime()) / 1000));
    throw error;
  }
  return { ...keys, locked };
}

/** After a failed check: sets the wait (or the lock) the counted failures call for. Returns true when the account just got locked. */
export async function recordFailure(tx: Executor, config: AccountsConfig, throttle: Throttle, now: Date): Promise<boolean> {
  const result = await tx.execute(sql`select key, failures, locked_until from auth_throttles where key in (${throttle.accountKey}, ${throttle.addressKey})`);
  let lockedNow = false;
  for (const row of result.rows as unknown as Row[]) {
    const isAccount = row.key === throttle.accountKey;
    const after = isAccount ? config.accountDelayAfter : config.addressDelayAfter;
    let lockedUntil: Date | null = null;
    if (isAccount && row.failures >= config.accountLockAfter) {
      lockedUntil = new Date(now.getTime() + HARD_LOCK_MS);
      lockedNow = !throttle.locked;
    } else if (row.failures >= after) {
      const base = isAccount ? 30_000 : 1_000;
      lockedUntil = new Date(now.getTime() + Math.min(base * 2 ** Math.min(row.failures - after, 20), config.maxDelayMs));
    }
    if (lockedUntil) await tx.execute(sql`update auth_throttles set locked_until = ${lockedUntil} where key = ${row.key}`);
  }
  return lockedNow;
}

/** A success forgives the account's failures (not the address's: it may be spraying other accounts). */
export async function recordSuccess(tx: Executor, throttle: Throttle): Promise<void> {
  await tx.execute(sql`delete from auth_throttles where key = ${throttle.accountKey}`);
}

/** An operator lifts the account's throttling. */
export async function unlockAccount(tx: Executor, username: string): Promise<void> {
  await tx.execute(sql`delete from auth_throttles where key = ${accountKey(username)}`);
}

export async function isLocked(tx: Executor, config: AccountsConfig, username: string): Promise<boolean> {
  const result = await tx.execute(sql`select failures from auth_throttles where key = ${accountKey(username)}`);
  const row = result.rows[0] as { failures: number } | undefined;
  return row !== undefined && row.failures >= config.accountLockAfter;
}
