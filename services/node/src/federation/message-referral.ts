import { and, eq } from 'drizzle-orm';
import type { MessageClaims } from '@bridge/contract';
import { referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { BridgeError } from '../errors.ts';

export type ReferralRow = typeof referrals.$inferSelect;

/**
 * The referral a message is about, shared with its issuer, locked for the change. `direction` says
 * which side the issuer must be: `inbound` when the issuer is the referral's sender.
 */
export async function referralOfMessage(tx: Executor, claims: MessageClaims, direction?: 'inbound' | 'outbound'): Promise<ReferralRow> {
  const filters = [eq(referrals.id, claims.referralId), eq(referrals.peerNodeId, claims.iss)];
  if (direction) filters.push(eq(referrals.direction, direction));
  const [row] = await tx.select().from(referrals).where(and(...filters)).for('update');
  if (!row) throw new BridgeError(422, 'message_body_invalid', `no referral shared with this peer fits a ${claims.type} message`);
  return row;
}
