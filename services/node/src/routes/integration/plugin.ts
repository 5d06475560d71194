import type { NodeContext } from '../../context.ts';
import { registerBearerAuth } from '../../clients/auth.ts';
import { registerClientRateLimit } from '../../http/rate-limit.ts';
import type { App } from '../types.ts';
import { createReferralRoute } from './create-referral.ts';
import { getReferralRoute } from './get-referral.ts';
import { listReferralsRoute } from './list-referrals.ts';
import { withdrawReferralRoute } from './withdraw-referral.ts';
import { listEventsRoute } from './list-events.ts';
import { createWebhookSubscriptionRoute } from './create-webhook-subscription.ts';
import { listWebhookSubscriptionsRoute } from './list-webhook-subscriptions.ts';
import { deleteWebhookSubscriptionRoute } from './delete-webhook-subscription.ts';

/** The organisation's own systems: `/v1/...`, bearer tokens with scopes. */
export async function integrationPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  await registerBearerAuth(app, ctx);
  await registerClientRateLimit(app, ctx);
  for (const route of [
    createReferralRoute,
    getReferralRoute,
    listReferralsRoute,
    withdrawReferralRoute,
    listEventsRoute,
    createWebhookSubscriptionRoute,
    listWebhookSubscriptionsRoute,
    deleteWebhookSubscriptionRoute,
  ])
    route(app, ctx);
}
