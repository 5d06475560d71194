import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { WebhookSubscription, WebhookSubscriptionCreate, WebhookSubscriptionCreated } from '@bridge/contract';
import { generateWebhookSecret, sealWebhookSecret } from '@bridge/crypto';
import { webhookDeliveries, webhookSubscriptions } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { newId } from '../clock.ts';
import { BridgeError, notFound } from '../errors.ts';
import type { NodeContext } from '../context.ts';
import { checkTarget, TargetForbidden } from './target.ts';

type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;

export function toSubscription(row: SubscriptionRow): WebhookSubscription {
  return { id: row.id, url: row.url, eventTypes: (row.eventTypes as WebhookSubscription['eventTypes']) ?? null, createdAt: row.createdAt.toISOString() };
}

/** The secret's sealing key material: kept with the node's keys, never in the database. */
export const secretKeyMaterial = (ctx: Pick<NodeContext, 'config'>): string => ctx.config.pseudonymSecret;

/**
 * Creates a subscription; its secret is in the answer only (sealed in the row, never logged). The
 * target is checked first (target.ts), outside the transaction since it may resolve a name.
 */
export async function createSubscription(ctx: Pick<NodeContext, 'clock' | 'config' | 'db'>, input: WebhookSubscriptionCreate, actor: string): Promise<WebhookSubscriptionCreated> {
  const url = new URL(input.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidUrl('must be an http or https URL');
  if (url.username || url.password) throw invalidUrl('must not carry credentials');
  await checkTarget(url, ctx.config.webhooks?.allowLocal ?? false).catch((err: unknown) => {
    const message = err instanceof TargetForbidden ? err.message : 'the host does not resolve';
    throw new BridgeError(400, 'webhook_target_forbidden', 'the webhook target is not allowed', [{ path: '/body/url', message }]);
  });
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const id = newId();
    const secret = generateWebhookSecret();
    const [row] = await tx
      .insert(webhookSubscriptions)
      .values({ id, url: url.href, eventTypes: input.eventTypes ?? null, sealedSecret: sealWebhookSecret(secretKeyMaterial(ctx), id, secret), createdBy: actor, createdAt: now })
      .returning();
    await appendAudit(tx, { type: 'webhook.subscribed', actor, at: now, detail: { subscriptionId: id, eventTypes: input.eventTypes?.join(' ') ?? null } });
    return { ...toSubscription(row!), secret };
  });
}

const invalidUrl = (message: string) => new BridgeError(400, 'validation_failed', 'the webhook URL is not allowed', [{ path: '/body/url', message }]);

export async function listSubscriptions(tx: Executor): Promise<WebhookSubscription[]> {
  const rows = await tx.select().from(webhookSubscriptions).where(isNull(webhookSubscriptions.deletedAt)).orderBy(asc(webhookSubscriptions.createdAt), asc(webhookSubscriptions.id));
  return rows.map(toSubscription);
}

/** Stops a subscription and gives up its deliveries still waiting; their history stays. */
export async function deleteSubscription(tx: Executor, ctx: Pick<NodeContext, 'clock'>, id: string, actor: string): Promise<void> {
  const now = ctx.clock.now();
  const [row] = await tx
    .update(webhookSubscriptions)
    .set({ deletedAt: now })
    .where(and(eq(webhookSubscriptions.id, id), isNull(webhookSubscriptions.deletedAt)))
    .returning({ id: webhookSubscriptions.id });
  if (!row) throw notFound('webhook subscription');
  await tx
    .update(webhookDeliveries)
    .set({ status: 'dead', lastError: 'subscription_deleted', leaseUntil: null })
    .where(and(eq(webhookDeliveries.subscriptionId, id), inArray(webhookDeliveries.status, ['queued', 'retrying'])));
  await appendAudit(tx, { type: 'webhook.unsubscribed', actor, at: now, detail: { subscriptionId: id } });
}
