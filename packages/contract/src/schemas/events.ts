/** Zod schemas for the event feed and webhooks. See ../schemas.ts. */
import { z } from 'zod';
import { deliveryStateFields, OutboxStatus } from './admin.ts';
import { MessageType } from './federation.ts';
import { dateTime, unique, uniqueMessage } from './helpers.ts';
import { DisclosableField, NodeId, ReferralStatus } from './referral.ts';

export const EventType = z.enum([
  'referral.created',
  'referral.received',
  'referral.status_changed',
  'referral.message_delivered',
  'referral.message_dead',
  'referral.message_refused',
  'referral.overdue',
  'referral.disclosed',
  'referral.disclosure_received',
  'referral.question_asked',
  'referral.question_received',
  'referral.question_answered',
  'referral.answer_received',
  'referral.consent_revoked',
  'referral.erased',
  'referral.erasure_confirmed',
]);
export type EventType = z.infer<typeof EventType>;

/** One change to a referral: ids, codes and times only, never personal data. Also a webhook body. */
export const Event = z.strictObject({
  id: z.uuid(),
  type: EventType,
  occurredAt: dateTime(),
  referralId: z.uuid(),
  direction: z.enum(['inbound', 'outbound']),
  peer: NodeId,
  status: ReferralStatus,
  previousStatus: ReferralStatus.optional(),
  reason: z.string().min(1).max(64).regex(/^[A-Z][A-Z0-9_]*$/).optional(),
  messageId: z.uuid().optional(),
  messageType: MessageType.optional(),
  error: z.string().max(200).optional(),
  fields: z.array(DisclosableField).min(1).optional(),
  questionId: z.uuid().optional(),
});
export type Event = z.infer<typeof Event>;

export const EventPage = z.strictObject({
  items: z.array(Event),
  nextCursor: z.string(),
});
export type EventPage = z.infer<typeof EventPage>;

/** Query string of `listEvents` (limit is coerced from the query string, default 100). */
export const ListEventsQuery = z.strictObject({
  after: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListEventsQuery = z.infer<typeof ListEventsQuery>;

export const WebhookSubscriptionCreate = z.strictObject({
  url: z.url().max(2048),
  eventTypes: z.array(EventType).min(1).refine(unique, uniqueMessage).optional(),
});
export type WebhookSubscriptionCreate = z.infer<typeof WebhookSubscriptionCreate>;

const subscriptionFields = {
  id: z.uuid(),
  url: z.url(),
  eventTypes: z.array(EventType).nullable(),
  createdAt: dateTime(),
};

/** A subscription as listed: never its secret. */
export const WebhookSubscription = z.strictObject(subscriptionFields);
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;

/** The answer to `createWebhookSubscription`: the only time the secret is shown. */
export const WebhookSubscriptionCreated = z.strictObject({ ...subscriptionFields, secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{43}=$/) });
export type WebhookSubscriptionCreated = z.infer<typeof WebhookSubscriptionCreated>;

export const WebhookSubscriptionList = z.strictObject({ items: z.array(WebhookSubscription) });
export type WebhookSubscriptionList = z.infer<typeof WebhookSubscriptionList>;

/** Path parameters of `deleteWebhookSubscription`. */
export const SubscriptionIdParams = z.strictObject({ subscriptionId: z.uuid() });
export type SubscriptionIdParams = z.infer<typeof SubscriptionIdParams>;

export const WebhookDelivery = z.strictObject({
  id: z.uuid(),
  subscriptionId: z.uuid(),
  eventId: z.uuid(),
  eventType: EventType,
  ...deliveryStateFields,
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

/** Path parameters of `resendWebhookDelivery`. */
export const DeliveryIdParams = z.strictObject({ deliveryId: z.uuid() });
export type DeliveryIdParams = z.infer<typeof DeliveryIdParams>;

export const WebhookDeliveryList = z.strictObject({
  items: z.array(WebhookDelivery),
  nextCursor: z.string().nullable(),
});
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;

/** Query string of `listWebhookDeliveries` (limit is coerced from the query string, default 50). */
export const ListWebhookDeliveriesQuery = z.strictObject({
  status: OutboxStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
});
export type ListWebhookDeliveriesQuery = z.infer<typeof ListWebhookDeliveriesQuery>;
