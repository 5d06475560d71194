import { describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { accountsConfig } from '../config.ts';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.ts';
import { csrfToken, newRecoveryCode, RECOVERY_CODE_PATTERN } from './secrets.ts';
import { totpStep } from './totp.ts';
import { checkRoles, scopesOf } from './roles.ts';

const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 SHA-1 vectors (T20)', async () => {
    const at = (epoch: number, digits: number) => generate({ secret: RFC_SECRET, epoch, digits });
    expect(await at(59, 8)).toBe('94287082');
    expect(await at(1111111109, 8)).toBe('07081804');
    expect(await at(1234567890, 8)).toBe('89005924');
    expect(await at(2000000000, 8)).toBe('69279037');
    expect(await at(59, 6)).toBe('287082');
  });

  it('accepts a step once, and no earlier step after a later one (T21)', async () => {
    const now = new Date(1_700_000_000_000);
    const code = await generate({ secret: RFC_SECRET, epoch: now.getTime() / 1000 });
    const step = await totpStep(RFC_SECRET, code, now, null);
    expect(step).toBe(Math.floor(now.getTime() / 30_000));
    expect(await totpStep(RFC_SECRET, code, now, step)).toBeNull();
    const previous = await generate({ secret: RFC_SECRET, epoch: now.getTime() / 1000 - 30 });
    expect(await totpStep(RFC_SECRET, previous, now, null)).toBe(step! - 1);
    expect(await totpStep(RFC_SECRET, previous, now, step)).toBeNull();
    expect(await totpStep(RFC_SECRET, '12345', now, null)).toBeNull();
  });
});

describe('passwords', () => {
  it('take 15 to 256 characters with no composition rules, refusing common ones and context words (T18)', () => {
    expect(passwordProblem('a'.repeat(3) + 'bcdefghijklm', [])).toBe(null);
    expect(passwordProblem('fourteen chars', [])).toBe('too_short');
    expect(passwordProblem('x'.repeat(64).replace(/x/g, (_, i: number) => 'abcdefgh'[i % 8]!), [])).toBe(null);
    expect(passwordProblem('abcdefghijklmnopqrstuvwxyz'.repeat(8), [])).toBe(null);
    expect(passwordProblem('a'.repeat(257).replace(/a/g, (_, i: number) => 'abcdefgh'[i % 8]!), [])).toBe('too_long');
    expect(passwordProblem('passwordpassword', [])).toBe('too_common');
    expect(passwordProblem('aaaaaaaaaaaaaaaaaaaa', [])).toBe('too_common');
    expect(passwordProblem('jelena-atina-2025!', ['jelena', 'atina'])).toBe('contains_context');
  });

  it('are argon2id at the OWASP parameters, untruncated, and rehashed when the cost rises (T19)', async () => {
    const config = accountsConfig({ port: 1 });
    const long = 'q'.repeat(50) + 'river lanterns at dusk and the quiet harbour of words'.repeat(1);
    const stored = await hashPassword(config, long);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, long)).toBe(true);
    expect(await verifyPassword(stored, `${long.slice(0, -1)}X`)).toBe(false);
    expect(needsRehash(config, stored)).toBe(false);
    expect(needsRehash({ ...config, argon2: { ...config.argon2, timeCost: 3 } }, stored)).toBe(true);
  });
});

describe('secrets and roles', () => {
  it('make recovery codes of about 140 random bits, and session-bound CSRF tokens', () => {
    const codes = new Set(Array.from({ length: 50 }, newRecoveryCode));
    expect(codes.size).toBe(50);
    for (const c of codes) expect(c).toMatch(RECOVERY_CODE_PATTERN);
    expect(csrfToken('secret', 'a')).not.toBe(csrfToken('secret', 'b'));
    expect(csrfToken('secret', 'a')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('never give admin or audit:read together with referrals:* (T32)', () => {
    expect(scopesOf(['case_worker'])).toEqual(['referrals:read', 'referrals:write']);
    expect(scopesOf(['operator'])).toEqual(['admin']);
    expect(() => checkRoles(['operator', 'supervisor'])).toThrow(/cannot be combined/);
    expect(() => checkRoles(['auditor', 'case_worker'])).toThrow(/cannot be combined/);
    expect(() => checkRoles(['auditor', 'operator'])).not.toThrow();
  });
});
