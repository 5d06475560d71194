import type { NodeContext } from '../../context.ts';
import { registerBearerAuth } from '../../clients/auth.ts';
import { registerClientRateLimit } from '../../http/rate-limit.ts';
import { checkSameOrigin } from '../../people/session-auth.ts';
import type { App } from '../types.ts';
import { getSignInOptionsRoute } from './get-sign-in-options.ts';
import { getSessionRoute } from './get-session.ts';
import { signInWithPasswordRoute } from './sign-in-with-password.ts';
import { startPasskeySignInRoute } from './start-passkey-sign-in.ts';
import { signInWithPasskeyRoute } from './sign-in-with-passkey.ts';
import { signOutRoute } from './sign-out.ts';
import { stepUpWithPasswordRoute } from './step-up-with-password.ts';
import { startPasskeyStepUpRoute } from './start-passkey-step-up.ts';
import { stepUpWithPasskeyRoute } from './step-up-with-passkey.ts';
import { listMySessionsRoute } from './list-my-sessions.ts';
import { endMySessionRoute } from './end-my-session.ts';
import { updatePreferencesRoute } from './update-preferences.ts';
import { regenerateRecoveryCodesRoute } from './regenerate-recovery-codes.ts';
import { changePasswordRoute } from './change-password.ts';
import { startPasskeyRegistrationRoute } from './start-passkey-registration.ts';
import { addPasskeyRoute } from './add-passkey.ts';
import { deletePasskeyRoute } from './delete-passkey.ts';
import { getEnrolmentRoute } from './get-enrolment.ts';
import { startPasskeyEnrolmentRoute } from './start-passkey-enrolment.ts';
import { enrolPasskeyRoute } from './enrol-passkey.ts';
import { startTotpEnrolmentRoute } from './start-totp-enrolment.ts';
import { enrolPasswordRoute } from './enrol-password.ts';
import { startOidcSignInRoute } from './start-oidc-sign-in.ts';
import { completeOidcSignInRoute } from './complete-oidc-sign-in.ts';
import { completeOidcSignInWithCodeRoute } from './complete-oidc-sign-in-with-code.ts';

/**
 * People's own account operations (`/v1/auth/...`): sign-in, enrolment, step-up, sessions, factors.
 * Public or authenticated by a session cookie; never by a bearer token. A state-changing request
 * without a session (sign-in, enrolment) is still refused when a browser sent it from another site.
 */
export async function accountsPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  await registerBearerAuth(app, ctx);
  await registerClientRateLimit(app, ctx);
  app.addHook('onRequest', async (request) => {
    if (request.person === null && request.method !== 'GET' && request.method !== 'HEAD') checkSameOrigin(ctx, request);
  });
  const routes = [
    getSignInOptionsRoute,
    getSessionRoute,
    signInWithPasswordRoute,
    startPasskeySignInRoute,
    signInWithPasskeyRoute,
    signOutRoute,
    stepUpWithPasswordRoute,
    startPasskeyStepUpRoute,
    stepUpWithPasskeyRoute,
    listMySessionsRoute,
    endMySessionRoute,
    updatePreferencesRoute,
    regenerateRecoveryCodesRoute,
    changePasswordRoute,
    startPasskeyRegistrationRoute,
    addPasskeyRoute,
    deletePasskeyRoute,
    getEnrolmentRoute,
    startPasskeyEnrolmentRoute,
    enrolPasskeyRoute,
    startTotpEnrolmentRoute,
    enrolPasswordRoute,
    startOidcSignInRoute,
    completeOidcSignInRoute,
    completeOidcSignInWithCodeRoute,
  ];
  for (const route of routes) route(app, ctx);
}
