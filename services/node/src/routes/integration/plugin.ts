import type { NodeContext } from '../../context.ts';
import { registerBearerAuth } from '../../clients/auth.ts';
import { registerClientRateLimit } from '../../http/rate-limit.ts';
import type { App } from '../types.ts';
import { createReferralRoute } from './create-referral.ts';
import { getDisclosureProfilesRoute } from './get-disclosure-profiles.ts';
import { getReferralRoute } from './get-referral.ts';
import { listReferralsRoute } from './list-referrals.ts';
import { withdrawReferralRoute } from './withdraw-referral.ts';
import { discloseReferralRoute } from './disclose-referral.ts';
import { revokeConsentRoute } from './revoke-consent.ts';
import { listInfoRequestsRoute } from './list-info-requests.ts';
import { createInfoRequestRoute } from './create-info-request.ts';
import { answerInfoRequestRoute } from './answer-info-request.ts';
import { acceptReferralRoute } from './accept-referral.ts';
import { rejectReferralRoute } from './reject-referral.ts';
import { startReferralRoute } from './start-referral.ts';
import { holdReferralRoute } from './hold-referral.ts';
import { completeReferralRoute } from './complete-referral.ts';
import { failReferralRoute } from './fail-referral.ts';
import { markReferralEnteredInErrorRoute } from './mark-referral-entered-in-error.ts';
import { getCodeListsRoute } from './get-code-lists.ts';
import { listEventsRoute } from './list-events.ts';
import { createWebhookSubscriptionRoute } from './create-webhook-subscription.ts';
import { listWebhookSubscriptionsRoute } from './list-webhook-subscriptions.ts';
import { deleteWebhookSubscriptionRoute } from './delete-webhook-subscription.ts';

/** The organisation's own systems: `/v1/...`, bearer tokens with scopes. */
export async function integrationPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  await registerBearerAuth(app, ctx);
  await registerClientRateLimit(app, ctx);
  const routes = [
    createReferralRoute,
    getReferralRoute,
    listReferralsRoute,
    withdrawReferralRoute,
    acceptReferralRoute,
    rejectReferralRoute,
    startReferralRoute,
    holdReferralRoute,
    completeReferralRoute,
    failReferralRoute,
    markReferralEnteredInErrorRoute,
    getCodeListsRoute,
    getDisclosureProfilesRoute,
    discloseReferralRoute,
    revokeConsentRoute,
    listInfoRequestsRoute,
    createInfoRequestRoute,
    answerInfoRequestRoute,
    listEventsRoute,
    createWebhookSubscriptionRoute,
    listWebhookSubscriptionsRoute,
    deleteWebhookSubscriptionRoute,
  ];
  for (const route of routes) route(app, ctx);
}
