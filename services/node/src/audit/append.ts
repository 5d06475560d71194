import { auditEvents } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { insertSql, type Fragment, type Statement } from '../db/statement.ts';

export type AuditEventType =
  | 'referral.created'
  | 'referral.status'
  | 'referral.disclosed'
  | 'referral.erased'
  | 'consent.revoked'
  | 'erasure.confirmed'
  | 'info.requested'
  | 'info.answered'
  | 'message.queued'
  | 'message.sent'
  | 'message.delivered'
  | 'message.retrying'
  | 'message.dead'
  | 'message.resent'
  | 'message.discarded'
  | 'message.resequenced'
  | 'message.received'
  | 'message.replayed'
  | 'message.refused'
  | 'peer.added'
  | 'peer.status'
  | 'peer.keys_refreshed'
  | 'key.rotated'
  | 'client.created'
  | 'client.revoked'
  | 'webhook.subscribed'
  | 'webhook.unsubscribed'
  | 'webhook.dead'
  | 'webhook.disabled'
  | 'webhook.resent'

  | 'referral.read'
  | 'audit.exported'
  | 'audit.searched'
  | 'audit.verified'
  | 'audit.witnessed'
  | 'audit.cosigned'
  | 'audit.cosignature_received'
  | 'audit.witness_failed'
  // People's accounts (DESIGN.md §9): the actor is `user:<id>` (or `anonymous` for an unknown name).
  | 'auth.sign_in.succeeded'
  | 'auth.sign_in.failed'
  | 'auth.step_up'
  | 'auth.lockout'
  | 'auth.enrolled'
  | 'auth.recovery_code.used'
  | 'auth.recovery_codes.regenerated'
  | 'auth.password.changed'
  | 'auth.passkey.added'
  | 'auth.passkey.removed'
  | 'auth.oidc.linked'
  | 'session.revoked'
  | 'user.created'
  | 'user.roles_changed'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.reset'
  | 'user.unlocked';

export interface AuditEvent {
  type: AuditEventType;
  /** Who did it: a client id, a peer node id, or `system`. */
  actor: string;
  at: Date;
  peerNodeId?: string | null;
  referralId?: string | null;
  messageId?: string | null;
  digest?: string | null;
  /** Codes and counts only: never names, free text or key material. */
  detail?: Record<string, string | number | boolean | null>;
}

const toRow = (event: AuditEvent) => ({
  at: event.at,
  type: event.type,
  actor: event.actor,
  peerNodeId: event.peerNodeId ?? null,
  referralId: event.referralId ?? null,
  messageId: event.messageId ?? null,
  digest: event.digest ?? null,
  detail: event.detail ?? null,
});

/** Several events in one INSERT, in the caller's transaction (e.g. one read event per referral listed). */
export async function appendAuditMany(tx: Executor, events: AuditEvent[]): Promise<void> {
  if (events.length > 0) await tx.insert(auditEvents).values(events.map(toRow));
}

/**
 * Appends in the caller's transaction and returns the event id (`audit_events.idx`), which receipts
 * carry as `logIndex`. It is not the Merkle leaf index: the sequencer assigns that after commit (see
 * sequencer.ts); inclusion proofs are looked up by event id. A failed insert fails the caller's
 * transaction, so nothing is changed without its audit event.
 */
export async function appendAudit(tx: Executor, event: AuditEvent): Promise<number> {
  const [row] = await tx.insert(auditEvents).values(toRow(event)).returning({ idx: auditEvents.idx });
  return row!.idx;
}

/**
 * The INSERT of one event whose id the caller drew before the write (a receipt names it), with
 * `NEXT_AUDIT_IDX` in an earlier statement of the same transaction: a write for a `Statement`.
 */
export function auditInsertWithIdx(event: AuditEvent, idx: number): Fragment {
  return insertSql(auditEvents, [{ ...toRow(event), idx }], { overridingSystemValue: true });
}

/** `appendAudit` as a row of the one audit INSERT of a `Statement` (events keep the order they were added in). */
export function addAudit(statement: Statement, event: AuditEvent): void {
  statement.insert(auditEvents, [toRow(event)]);
}

/** SQL for the next event id, to select along with other reads (see `auditInsertWithIdx`). */
export const NEXT_AUDIT_IDX_SQL = `nextval(pg_get_serial_sequence('audit_events', 'idx'))::bigint`;
