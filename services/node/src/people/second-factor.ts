import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { SignInMethod } from '@bridge/contract';
import type { Executor } from '../db/client.ts';
import { users } from '../db/schema/index.ts';
import { consumeRecoveryCode } from './recovery-codes.ts';
import { openTotpSecret } from './secrets.ts';
import { totpStep } from './totp.ts';
import type { UserRow } from './users.ts';

/**
 * Checks the one-time code that goes with a password: a TOTP code of a step later than the last one
 * accepted (stored by the same conditional UPDATE, so two parallel requests cannot both use it), or
 * an unused recovery code. Returns how the person got in, or null. The TOTP secret is stored sealed
 * (secrets.ts sealTotpSecret) and opened only here, for the check.
 */
export async function useOneTimeCode(tx: Executor, keyMaterial: string, user: UserRow, code: string, now: Date): Promise<SignInMethod | null> {
  if (user.totpSecret && /^[0-9]{6}$/.test(code.trim())) {
    const step = await totpStep(openTotpSecret(keyMaterial, user.id, user.totpSecret), code.trim(), now, user.totpLastStep);
    if (step === null) return null;
    const updated = await tx
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
      .returning({ id: users.id });
    return updated.length > 0 ? 'password' : null;
  }
  return (await consumeRecoveryCode(tx, user.id, code, now)) ? 'recovery_code' : null;
}
