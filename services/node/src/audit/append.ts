import { auditEvents } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';

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
  | 'webhook.dead';

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

/** Appends in the caller's transaction and returns the event's log index. */
export async function appendAudit(tx: Executor, event: AuditEvent): Promise<number> {
  const [row] = await tx
    .insert(auditEvents)
    .values({
      at: event.at,
      type: event.type,
      actor: event.actor,
      peerNodeId: event.peerNodeId ?? null,
      referralId: event.referralId ?? null,
      messageId: event.messageId ?? null,
      digest: event.digest ?? null,
      detail: event.detail ?? null,
    })
    .returning({ idx: auditEvents.idx });
  return row!.idx;
}
