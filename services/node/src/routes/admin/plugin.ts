import type { NodeContext } from '../../context.ts';
import { registerBearerAuth } from '../../clients/auth.ts';
import { registerClientRateLimit } from '../../http/rate-limit.ts';
import type { App } from '../types.ts';
import { listOutboxMessagesRoute } from './list-outbox-messages.ts';
import { resendOutboxMessageRoute } from './resend-outbox-message.ts';
import { discardOutboxMessageRoute } from './discard-outbox-message.ts';
import { listWebhookDeliveriesRoute } from './list-webhook-deliveries.ts';
import { resendWebhookDeliveryRoute } from './resend-webhook-delivery.ts';
import { searchAuditEventsRoute } from './search-audit-events.ts';
import { getAuditEventProofRoute } from './get-audit-event-proof.ts';
import { getAuditConsistencyProofRoute } from './get-audit-consistency-proof.ts';
import { exportAuditLogRoute } from './export-audit-log.ts';
import { verifyAuditLogRoute } from './verify-audit-log.ts';
import { witnessAuditCheckpointsRoute } from './witness-audit-checkpoints.ts';
import { listUsersRoute } from './list-users.ts';
import { createUserRoute } from './create-user.ts';
import { getUserRoute } from './get-user.ts';
import { setUserRolesRoute } from './set-user-roles.ts';
import { disableUserRoute } from './disable-user.ts';
import { enableUserRoute } from './enable-user.ts';
import { resetUserRoute } from './reset-user.ts';
import { unlockUserRoute } from './unlock-user.ts';
import { revokeUserSessionsRoute } from './revoke-user-sessions.ts';
import { linkUserOidcRoute } from './link-user-oidc.ts';

/** Operators and auditors: `/admin/v1/...`, bearer tokens with the admin or audit scope. */
export async function adminPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  await registerBearerAuth(app, ctx);
  await registerClientRateLimit(app, ctx);
  const routes = [
    listOutboxMessagesRoute,
    resendOutboxMessageRoute,
    discardOutboxMessageRoute,
    listWebhookDeliveriesRoute,
    resendWebhookDeliveryRoute,
    searchAuditEventsRoute,
    getAuditEventProofRoute,
    getAuditConsistencyProofRoute,
    exportAuditLogRoute,
    verifyAuditLogRoute,
    witnessAuditCheckpointsRoute,
    listUsersRoute,
    createUserRoute,
    getUserRoute,
    setUserRolesRoute,
    disableUserRoute,
    enableUserRoute,
    resetUserRoute,
    unlockUserRoute,
    revokeUserSessionsRoute,
    linkUserOidcRoute,
  ];
  for (const route of routes) route(app, ctx);
}
