import { eq } from 'drizzle-orm';
import { Outcome, RejectionReason, ReferralStatus } from '@bridge/contract';
import { referrals, referralStatusHistory } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { recordStatusChange } from '../events/record.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError } from '../errors.ts';
import type { NodeContext } from '../context.ts';

/** The two parties of a referral: the node that sent it and the node it was sent to. */
export type Party = 'sender' | 'receiver';

interface Rule {
  setBy: Party;
  from: readonly ReferralStatus[];
}

const NON_FINAL = ['requested', 'received', 'accepted', 'in-progress', 'on-hold'] as const satisfies readonly ReferralStatus[];
const WORKING = ['accepted', 'in-progress', 'on-hold'] as const satisfies readonly ReferralStatus[];

/**
 * The status lifecycle (DESIGN §5): who may set each status and from which. Both nodes check every
 * change against this one table, the local request and the received message alike. `requested` is
 * only ever the first status; `entered-in-error` follows anything but itself.
 */
export const TRANSITIONS: Readonly<Record<ReferralStatus, Rule>> = {
  requested: { setBy: 'sender', from: [] },
  received: { setBy: 'receiver', from: ['requested'] },
  accepted: { setBy: 'receiver', from: ['received'] },
  rejected: { setBy: 'receiver', from: ['received'] },
  'in-progress': { setBy: 'receiver', from: WORKING },
  'on-hold': { setBy: 'receiver', from: WORKING },
  completed: { setBy: 'receiver', from: ['in-progress', 'on-hold'] },
  failed: { setBy: 'receiver', from: ['in-progress', 'on-hold'] },
  cancelled: { setBy: 'sender', from: NON_FINAL },
  'entered-in-error': { setBy: 'sender', from: ReferralStatus.options.filter((s) => s !== 'entered-in-error') },
};

/** Statuses after which nothing but entered-in-error may follow. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(ReferralStatus.options.filter((s) => !(NON_FINAL as readonly string[]).includes(s)));

/** Why `party` may not move a referral from `current` to `next`, or undefined when it may. */
export function transitionRefusal(current: ReferralStatus, next: ReferralStatus, party: Party): string | undefined {
  const rule = TRANSITIONS[next];
  if (rule.setBy !== party) return `only the ${rule.setBy} of a referral can set it ${next}`;
  if (!rule.from.includes(current)) return `a ${current} referral cannot become ${next}`;
  return undefined;
}

/** What the code in `reason` must be for each status: a rejection reason, an outcome, any code, or none. */
export function reasonRefusal(status: ReferralStatus, reason: string | undefined): string | undefined {
  if (status === 'rejected') return RejectionReason.safeParse(reason).success ? undefined : 'a rejection needs a rejection reason code';
  if (status === 'completed') return Outcome.safeParse(reason).success ? undefined : 'a completion needs an outcome code';
  if (status === 'cancelled') return undefined;
  return reason === undefined ? undefined : `a ${status} status carries no reason code`;
}

type ReferralRow = typeof referrals.$inferSelect;

/** Which party `nodeId` is for this referral, as this node sees it; undefined for a third node. */
export function partyOf(ctx: NodeContext, referral: ReferralRow, nodeId: string): Party | undefined {
  const sender = referral.direction === 'outbound' ? ctx.config.nodeId : referral.peerNodeId;
  const receiver = referral.direction === 'outbound' ? referral.peerNodeId : ctx.config.nodeId;
  if (nodeId === sender) return 'sender';
  if (nodeId === receiver) return 'receiver';
  return undefined;
}

export interface StatusChangeInput {
  status: ReferralStatus;
  /** The node that made the change: this node for a local request, the issuer for a message. */
  by: string;
  at: Date;
  reason?: string | undefined;
  note?: string | undefined;
}

/**
 * The one way a referral's status changes, on either node: checks the change against the table,
 * updates the referral, appends its history entry and its audit event, all in the caller's
 * transaction. `referral` must be locked (select … for update) by the caller.
 */
export async function changeStatus(
  tx: Executor,
  ctx: NodeContext,
  referral: ReferralRow,
  change: StatusChangeInput,
  audit: { actor: string; messageId?: string },
): Promise<void> {
  const party = partyOf(ctx, referral, change.by);
  const refusal = party ? transitionRefusal(referral.status as ReferralStatus, change.status, party) : `${change.by} is not a party to this referral`;
  if (refusal) throw new BridgeError(409, 'illegal_transition', refusal);
  const now = ctx.clock.now();
  await tx.update(referrals).set({ status: change.status, updatedAt: now }).where(eq(referrals.id, referral.id));
  await tx.insert(referralStatusHistory).values({
    referralId: referral.id,
    status: change.status,
    at: change.at,
    by: change.by,
    reason: change.reason ?? null,
    note: change.note ?? null,
  });
  await appendAudit(tx, {
    type: 'referral.status',
    actor: audit.actor,
    at: now,
    peerNodeId: referral.peerNodeId,
    referralId: referral.id,
    messageId: audit.messageId ?? null,
    detail: { status: change.status, from: referral.status, ...(change.reason === undefined ? {} : { reason: change.reason }) },
  });
  await recordStatusChange(tx, ctx, { referralId: referral.id, direction: referral.direction as 'inbound' | 'outbound', peer: referral.peerNodeId, from: referral.status, to: change.status, reason: change.reason });
  referral.status = change.status;
}
