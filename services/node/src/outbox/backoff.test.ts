import { describe, expect, it } from 'vitest';
import { defaultDelivery } from '../config.ts';
import { afterFailure, retryDelayMs } from './backoff.ts';

describe('retryDelayMs', () => {
  const config = { ...defaultDelivery, baseDelayMs: 100, maxDelayMs: 1000 };
  it('doubles per attempt within the jitter band', () => {
    expect(retryDelayMs(1, config, () => 0)).toBe(50);
    expect(retryDelayMs(1, config, () => 1)).toBe(100);
    expect(retryDelayMs(3, config, () => 0)).toBe(200);
    expect(retryDelayMs(3, config, () => 1)).toBe(400);
  });
  it('never exceeds the cap', () => {
    for (let attempts = 1; attempts < 40; attempts++) expect(retryDelayMs(attempts, config, () => 1)).toBeLessThanOrEqual(1000);
  });
});

describe('afterFailure', () => {
  const config = { ...defaultDelivery, baseDelayMs: 100, maxDelayMs: 1000 };
  const now = new Date('2026-01-01T00:00:00Z');
  it('retries after the backoff before the deadline, and gives up from the deadline on', () => {
    expect(afterFailure(2, new Date(now.getTime() + 1), now, config, () => 1)).toEqual({ dead: false, nextAttemptAt: new Date(now.getTime() + 200) });
    expect(afterFailure(2, now, now, config, () => 1).dead).toBe(true);
  });
});
