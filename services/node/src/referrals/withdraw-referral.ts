import type { Referral, WithdrawReferral } from '@bridge/contract';
import type { Executor } from '../db/client.ts';
import type { NodeContext } from '../context.ts';
import { setReferralStatus } from './set-status.ts';

/** The sender cancels a referral that is not final, and tells the peer in the same transaction. */
export async function withdrawReferral(tx: Executor, ctx: NodeContext, id: string, input: WithdrawReferral, actor: string): Promise<Referral> {
  return setReferralStatus(tx, ctx, id, { status: 'cancelled', reason: input.reason, note: input.note }, actor);
}

/** Kept here too, where it used to live, for code that still imports it from this module. */
export { FINAL_STATUSES } from './lifecycle.ts';
