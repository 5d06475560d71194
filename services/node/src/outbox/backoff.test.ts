import { describe, expect, it } from 'vitest';
import { defaultDelivery } from '../config.ts';
import { retryDelayMs } from './backoff.ts';

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
