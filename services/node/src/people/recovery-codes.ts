import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { userRecoveryCodes } from '../db/schema/index.ts';
import { newId } from '../clock.ts';
import { newRecoveryCode, normaliseRecoveryCode, RECOVERY_CODE_PATTERN, tokenHash } from './secrets.ts';

/** Ten new codes; the old ones stop working. Only their SHA-256 is stored (≈140 random bits each). */
export async function replaceRecoveryCodes(tx: Executor, userId: string, now: Date): Promise<string[]> {
  await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  const codes = Array.from({ length: 10 }, newRecoveryCode);
  await tx.insert(userRecoveryCodes).values(codes.map((code) => ({ id: newId(), userId, codeHash: tokenHash(code), createdAt: now, usedAt: null })));
  return codes;
}

/** Uses a code up if it is one of the user's unused ones; the conditional UPDATE makes it single use under concurrency. */
export async function consumeRecoveryCode(tx: Executor, userId: string, code: string, now: Date): Promise<boolean> {
  const normal = normaliseRecoveryCode(code);
  if (!RECOVERY_CODE_PATTERN.test(normal)) return false;
  const used = await tx
    .update(userRecoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(userRecoveryCodes.userId, userId), eq(userRecoveryCodes.codeHash, tokenHash(normal)), isNull(userRecoveryCodes.usedAt)))
    .returning({ id: userRecoveryCodes.id });
  return used.length > 0;
}
