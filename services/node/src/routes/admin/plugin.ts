import type { NodeContext } from '../../context.ts';
import { registerBearerAuth } from '../../clients/auth.ts';
import { registerClientRateLimit } from '../../http/rate-limit.ts';
import type { App } from '../types.ts';
import { listOutboxMessagesRoute } from './list-outbox-messages.ts';
import { resendOutboxMessageRoute } from './resend-outbox-message.ts';
import { listWebhookDeliveriesRoute } from './list-webhook-deliveries.ts';

/** Operators and auditors: `/admin/v1/...`, bearer tokens with the admin or audit scope. */
export async function adminPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  await registerBearerAuth(app, ctx);
  await registerClientRateLimit(app, ctx);
  for (const route of [listOutboxMessagesRoute, resendOutboxMessageRoute, listWebhookDeliveriesRoute]) route(app, ctx);
}
