/** Zod schemas for the admin API (outbox inspection and recovery). See ../schemas.ts. */
import { z } from 'zod';
import { MessageType } from './federation.ts';
import { dateTime } from './helpers.ts';
import { NodeId } from './referral.ts';

export const OutboxStatus = z.enum(['queued', 'sending', 'retrying', 'delivered', 'dead', 'discarded']);
export type OutboxStatus = z.infer<typeof OutboxStatus>;

/** Where a delivery stands: the fields shared by outbox messages and webhook deliveries. */
export const deliveryStateFields = {
  status: OutboxStatus,
  attempts: z.number().int().min(0),
  lastError: z.string().max(200).nullable(),
  nextAttemptAt: dateTime(),
  deadlineAt: dateTime(),
  createdAt: dateTime(),
  deliveredAt: dateTime().nullable(),
};

/** An outbox message as operators see it. Never the message body, which carries personal data. */
export const OutboxMessage = z.strictObject({
  id: z.uuid(),
  peer: NodeId,
  referralId: z.uuid().nullable(),
  type: MessageType,
  seq: z.number().int().min(1),
  ...deliveryStateFields,
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

export const OutboxMessageList = z.strictObject({
  items: z.array(OutboxMessage),
  nextCursor: z.string().nullable(),
});
export type OutboxMessageList = z.infer<typeof OutboxMessageList>;

/** Query string of `listOutboxMessages` (limit is coerced from the query string, default 50). */
export const ListOutboxQuery = z.strictObject({
  status: OutboxStatus.optional(),
  peer: NodeId.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
});
export type ListOutboxQuery = z.infer<typeof ListOutboxQuery>;

/** Why an operator discards a dead message: a code, never free text. */
export const OutboxDiscardReason = z.enum(['REFUSED_BY_PEER', 'OBSOLETE', 'SENT_IN_ERROR', 'PEER_RETIRED']);
export type OutboxDiscardReason = z.infer<typeof OutboxDiscardReason>;

/** Body of `discardOutboxMessage`. */
export const OutboxDiscard = z.strictObject({ reason: OutboxDiscardReason });
export type OutboxDiscard = z.infer<typeof OutboxDiscard>;

/** Path parameters of `resendOutboxMessage` and `discardOutboxMessage`. */
export const MessageIdParams = z.strictObject({ messageId: z.uuid() });
export type MessageIdParams = z.infer<typeof MessageIdParams>;
