import type { DeliveryConfig } from '../config.ts';

/** Capped exponential backoff with equal jitter: half fixed, half random. */
export function retryDelayMs(attempts: number, config: DeliveryConfig, random: () => number = Math.random): number {
  const exp = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}
