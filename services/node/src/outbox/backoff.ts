import type { DeliveryConfig } from '../config.ts';

/** Capped exponential backoff with equal jitter: half fixed, half random. */
export function retryDelayMs(attempts: number, config: DeliveryConfig, random: () => number = Math.random): number {
  const exp = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** After a failed attempt: dead once the deadline has passed, else retried after the backoff. */
export function afterFailure(attempts: number, deadlineAt: Date, now: Date, config: DeliveryConfig, random: () => number = Math.random): { dead: boolean; nextAttemptAt: Date } {
  return { dead: now.getTime() >= deadlineAt.getTime(), nextAttemptAt: new Date(now.getTime() + retryDelayMs(Math.max(1, attempts), config, random)) };
}
