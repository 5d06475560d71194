import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { MessageClaims } from '@bridge/crypto';
import { inboundMessages, referrals } from '../../src/db/schema/index.ts';
import { demoReferral } from '../../src/demo/scenario.ts';
import { encrypt, encryptionKeyOf, postMessage, signInner, signingKeyOf } from './forge.ts';
import { type TestNode, waitFor } from './nodes.ts';

/** The lifecycle operations by their path segment, and the status each one sets. */
export const ACTIONS = {
  accept: 'accepted',
  reject: 'rejected',
  start: 'in-progress',
  hold: 'on-hold',
  complete: 'completed',
  fail: 'failed',
  'entered-in-error': 'entered-in-error',
  withdraw: 'cancelled',
} as const;
export type Action = keyof typeof ACTIONS;

export interface HistoryEntry {
  status: string;
  by: string;
  reason?: string;
  note?: string;
}

/** A referral's history without its times, which the two nodes record each by its own clock. */
export async function historyOf(node: TestNode, id: string): Promise<HistoryEntry[]> {
  const res = await node.api('GET', `/v1/referrals/${id}`);
  return (res.body.history as Array<HistoryEntry & { at: string }>).map(({ at: _at, ...rest }) => rest);
}

/** A referral from atina to pvpt, delivered: `received` on both sides. */
export async function deliveredReferral(atina: TestNode, pvpt: TestNode, over: Partial<ReturnType<typeof demoReferral>> = {}): Promise<string> {
  const created = await atina.api('POST', '/v1/referrals', { ...demoReferral(new Date()), ...over });
  if (created.status !== 201) throw new Error(`create answered ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'received' && (await pvpt.api('GET', `/v1/referrals/${id}`)).status === 200, 30_000);
  return id;
}

/** Waits until `node` holds `length` history entries for the referral (the peer's message applied). */
export async function waitForHistory(node: TestNode, id: string, length: number): Promise<void> {
  await waitFor(async () => (await node.api('GET', `/v1/referrals/${id}`)).body.history.length >= length, 30_000);
}

/**
 * A `referral.status` message forged as if `from` sent it (signed with its real key), chained right
 * after the last message `to` has applied from it for this referral. Its `from` status is `to`'s
 * current status unless the body gives one.
 */
export async function forgeStatus(from: TestNode, to: TestNode, referralId: string, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const [last] = await to.node.ctx.db
    .select()
    .from(inboundMessages)
    .where(and(eq(inboundMessages.issuer, from.id), eq(inboundMessages.referralId, referralId)))
    .orderBy(desc(inboundMessages.seq))
    .limit(1);
  const [referral] = await to.node.ctx.db.select({ status: referrals.status }).from(referrals).where(eq(referrals.id, referralId));
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    iss: from.id,
    aud: to.id,
    iat,
    exp: iat + 300,
    jti: randomUUID(),
    type: 'referral.status' as const,
    referralId,
    seq: (last?.seq ?? 0) + 1,
    prev: (last?.contentDigest ?? null) as MessageClaims['prev'],
    body: { at: new Date().toISOString(), from: referral?.status, ...body },
  };
  return postMessage(to, await encrypt(await signInner(claims, signingKeyOf(from)), encryptionKeyOf(to)));
}
