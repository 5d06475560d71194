import { asc, eq, inArray } from 'drizzle-orm';
import { Outcome, RejectionReason, ReferralStatus } from '@bridge/contract';
import { referrals, referralStatusHistory } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { addEvent, statusChangedEvent } from '../events/record.ts';
import { addAudit, appendAudit } from '../audit/append.ts';
import { Statement, updateSql } from '../db/statement.ts';
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
  into?: Gathered,
): Promise<void> {
  const party = partyOf(ctx, referral, change.by);
  const refusal = party ? transitionRefusal(referral.status as ReferralStatus, change.status, party) : `${change.by} is not a party to this referral`;
  if (refusal) throw new BridgeError(409, 'illegal_transition', refusal);
  await writeChange(tx, ctx, referral, change, audit, {}, into);
}

/**
 * Where a caller gathers this change's writes with its own, to run them as one statement itself.
 * `rowInserted`: the caller's statement inserts the referral row already with the new status (a
 * statement's writes cannot update a row another of its writes inserts), so none is updated here;
 * its first history entry is added (`addHistory`) before this change's.
 */
export interface Gathered {
  statement: Statement;
  rowInserted?: boolean;
}

/** The row update, its history entry, its audit event and its event: one statement (or the caller's). */
async function writeChange(
  tx: Executor,
  ctx: NodeContext,
  referral: ReferralRow,
  change: StatusChangeInput,
  audit: { actor: string; messageId?: string },
  auditExtra: Record<string, unknown>,
  into?: Gathered,
): Promise<void> {
  const now = ctx.clock.now();
  const statement = into?.statement ?? new Statement();
  if (!into?.rowInserted) statement.write(updateSql(referrals, { status: change.status, updatedAt: now }, { column: referrals.id, value: referral.id }));
  addHistory(statement, historyValues(referral.id, change));
  addAudit(statement, {
    type: 'referral.status',
    actor: audit.actor,
    at: now,
    peerNodeId: referral.peerNodeId,
    referralId: referral.id,
    messageId: audit.messageId ?? null,
    detail: { status: change.status, from: referral.status, ...(change.reason === undefined ? {} : { reason: change.reason }), ...auditExtra },
  });
  addEvent(statement, ctx, statusChangedEvent({ referralId: referral.id, direction: referral.direction as 'inbound' | 'outbound', peer: referral.peerNodeId, from: referral.status, to: change.status, reason: change.reason }));
  if (!into) await statement.run(tx);
  referral.status = change.status;
}

/** A history entry as a row of the one history INSERT of a statement (entries are read in id order). */
export function addHistory(statement: Statement, entry: typeof referralStatusHistory.$inferInsert): void {
  statement.insert(referralStatusHistory, [entry]);
}

const historyValues = (referralId: string, change: StatusChangeInput) => ({
  referralId,
  status: change.status,
  at: change.at,
  by: change.by,
  reason: change.reason ?? null,
  note: change.note ?? null,
});

/** A change received from the peer, with the status it was made from (its `from`). */
export interface PeerStatusChange extends StatusChangeInput {
  from: ReferralStatus;
}

/**
 * A status change made by the peer, on either node. When it was made from this node's current status,
 * it is an ordinary change, checked against the table exactly like a local one (`changeStatus`).
 * Otherwise it was made concurrently with changes of this node the peer had not seen yet, and both
 * nodes resolve it by the same rule, so they end with the same status and the same history:
 *
 * - Only the sender's `cancelled` / `entered-in-error` can be concurrent with the receiver's changes
 *   (nothing else is set by the sender, and the receiver cannot change a cancelled referral), and the
 *   sender's change wins: the referral ends with the sender's status.
 * - Both are kept. In the history the receiver's concurrent changes come first, then the sender's:
 *   on the receiver the sender's change is appended; on the sender the receiver's change is put just
 *   before the sender's entries made after the receiver's last known entry. Each node can place every
 *   entry without knowing what the other has seen, so the orders agree whatever the delivery order.
 *
 * The concurrent change must still be one the table allows from its `from`, and `from` must be a status
 * the peer could have been at (otherwise 409 `illegal_transition`): a stale or forged `from` is refused.
 * `changedAt` gives the entry's time once its place (the entry before it) is known.
 */
export async function applyPeerChange(
  tx: Executor,
  ctx: NodeContext,
  referral: ReferralRow,
  change: Omit<PeerStatusChange, 'at'>,
  changedAt: (previousAt: Date | undefined) => Date,
  audit: { actor: string; messageId?: string },
): Promise<void> {
  const history = await tx.select().from(referralStatusHistory).where(eq(referralStatusHistory.referralId, referral.id)).orderBy(asc(referralStatusHistory.id));
  if (change.from === referral.status) {
    await changeStatus(tx, ctx, referral, { ...change, at: changedAt(history.at(-1)?.at) }, audit);
    return;
  }
  const party = partyOf(ctx, referral, change.by);
  const refusal = party ? transitionRefusal(change.from, change.status, party) : `${change.by} is not a party to this referral`;
  if (refusal) throw new BridgeError(409, 'illegal_transition', refusal);
  if (party === 'sender') {
    // This node is the receiver. The sender saw, at most, everything up to its own last entry and the
    // entries of ours after it; `from` must be one of those.
    const lastOfSender = history.findLastIndex((h) => h.by === change.by);
    if (!history.slice(Math.max(lastOfSender, 0)).some((h) => h.status === change.from)) throw concurrentRefusal(referral, change);
    await writeChange(tx, ctx, referral, { ...change, at: changedAt(history.at(-1)?.at) }, audit, { concurrent: true });
    return;
  }
  // This node is the sender: our entries after the receiver's last one are what it had not seen.
  const lastOfReceiver = history.findLastIndex((h) => h.by === change.by);
  const fork = Math.max(lastOfReceiver, 0);
  const ours = history.slice(fork + 1);
  if (history[fork]?.status !== change.from || ours.length === 0) throw concurrentRefusal(referral, change);
  const entry = historyValues(referral.id, { ...change, at: changedAt(history[fork]!.at) });
  // Re-appended after the peer's entry (history is read in id order): same values, new ids.
  await tx.delete(referralStatusHistory).where(inArray(referralStatusHistory.id, ours.map((h) => h.id)));
  await tx.insert(referralStatusHistory).values([entry, ...ours.map(({ id: _id, ...rest }) => rest)]);
  await appendAudit(tx, {
    type: 'referral.status',
    actor: audit.actor,
    at: ctx.clock.now(),
    peerNodeId: referral.peerNodeId,
    referralId: referral.id,
    messageId: audit.messageId ?? null,
    detail: { status: change.status, from: change.from, ...(change.reason === undefined ? {} : { reason: change.reason }), superseded: true },
  });
}

function concurrentRefusal(referral: ReferralRow, change: Omit<PeerStatusChange, 'at'>): BridgeError {
  return new BridgeError(409, 'illegal_transition', `a ${referral.status} referral cannot become ${change.status}: the change was made from ${change.from}, which does not precede it here`);
}
