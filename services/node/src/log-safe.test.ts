import { describe, expect, it } from 'vitest';
import { errorSummary } from './log-safe.ts';

describe('errorSummary', () => {
  it('keeps codes and frames but never the message, even a multi-line one', () => {
    const cause = Object.assign(new Error('duplicate key (name)=(Јелена)'), { code: '23505', constraint: 'referrals_pkey' });
    const err = Object.assign(new Error('Failed query: insert ...\nparams: Јелена,Krasniqi'), { cause });
    const summary = JSON.stringify(errorSummary(err));
    expect(summary).not.toContain('Јелена');
    expect(summary).not.toContain('Krasniqi');
    expect(summary).toContain('23505');
    expect(summary).toContain('referrals_pkey');
    expect(errorSummary(err).frames).toMatch(/^\s+at /);
  });
});
