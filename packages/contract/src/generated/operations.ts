/**
 * Generated from openapi/bridge.v1.yaml by `pnpm generate` (packages/contract/scripts/generate.ts).
 * Do not edit: change the contract and regenerate.
 */

import type { operations as OperationTypes } from './openapi.ts';

/**
 * Every operation of the contract: HTTP method, OpenAPI path, the same path in Fastify syntax, and
 * the bearer scopes of which a caller needs any one (null: no bearer token, e.g. federation or probes),
 * the scopes a person's session needs (`[]`: any signed-in person; null: no session), and whether a
 * session needs a fresh factor (step-up) for it.
 * The node's bearer auth reads the scopes from here, so the contract and the enforcement cannot drift.
 * As a type, `operations` is openapi-typescript's per-operation types (parameters, bodies, responses).
 */
export const operations = {
  listReferrals: { method: 'GET', path: '/v1/referrals', fastifyPath: '/v1/referrals', scopes: ['referrals:read'], sessionScopes: ['referrals:read'], stepUp: false },
  createReferral: { method: 'POST', path: '/v1/referrals', fastifyPath: '/v1/referrals', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  getReferral: { method: 'GET', path: '/v1/referrals/{referralId}', fastifyPath: '/v1/referrals/:referralId', scopes: ['referrals:read'], sessionScopes: ['referrals:read'], stepUp: false },
  withdrawReferral: { method: 'POST', path: '/v1/referrals/{referralId}/withdraw', fastifyPath: '/v1/referrals/:referralId/withdraw', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  listEvents: { method: 'GET', path: '/v1/events', fastifyPath: '/v1/events', scopes: ['referrals:read'], sessionScopes: ['referrals:read'], stepUp: false },
  listWebhookSubscriptions: { method: 'GET', path: '/v1/webhooks', fastifyPath: '/v1/webhooks', scopes: ['admin'], sessionScopes: ['admin'], stepUp: false },
  createWebhookSubscription: { method: 'POST', path: '/v1/webhooks', fastifyPath: '/v1/webhooks', scopes: ['admin'], sessionScopes: ['admin'], stepUp: true },
  deleteWebhookSubscription: { method: 'DELETE', path: '/v1/webhooks/{subscriptionId}', fastifyPath: '/v1/webhooks/:subscriptionId', scopes: ['admin'], sessionScopes: ['admin'], stepUp: true },
  acceptReferral: { method: 'POST', path: '/v1/referrals/{referralId}/accept', fastifyPath: '/v1/referrals/:referralId/accept', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  rejectReferral: { method: 'POST', path: '/v1/referrals/{referralId}/reject', fastifyPath: '/v1/referrals/:referralId/reject', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  startReferral: { method: 'POST', path: '/v1/referrals/{referralId}/start', fastifyPath: '/v1/referrals/:referralId/start', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  holdReferral: { method: 'POST', path: '/v1/referrals/{referralId}/hold', fastifyPath: '/v1/referrals/:referralId/hold', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  completeReferral: { method: 'POST', path: '/v1/referrals/{referralId}/complete', fastifyPath: '/v1/referrals/:referralId/complete', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  failReferral: { method: 'POST', path: '/v1/referrals/{referralId}/fail', fastifyPath: '/v1/referrals/:referralId/fail', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  markReferralEnteredInError: { method: 'POST', path: '/v1/referrals/{referralId}/entered-in-error', fastifyPath: '/v1/referrals/:referralId/entered-in-error', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  getCodeLists: { method: 'GET', path: '/v1/code-lists', fastifyPath: '/v1/code-lists', scopes: ['referrals:read'], sessionScopes: ['referrals:read'], stepUp: false },
  discloseReferral: { method: 'POST', path: '/v1/referrals/{referralId}/disclose', fastifyPath: '/v1/referrals/:referralId/disclose', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  revokeConsent: { method: 'POST', path: '/v1/referrals/{referralId}/consent/revoke', fastifyPath: '/v1/referrals/:referralId/consent/revoke', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  listInfoRequests: { method: 'GET', path: '/v1/referrals/{referralId}/info-requests', fastifyPath: '/v1/referrals/:referralId/info-requests', scopes: ['referrals:read'], sessionScopes: ['referrals:read'], stepUp: false },
  createInfoRequest: { method: 'POST', path: '/v1/referrals/{referralId}/info-requests', fastifyPath: '/v1/referrals/:referralId/info-requests', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  answerInfoRequest: { method: 'POST', path: '/v1/referrals/{referralId}/info-requests/{questionId}/answer', fastifyPath: '/v1/referrals/:referralId/info-requests/:questionId/answer', scopes: ['referrals:write'], sessionScopes: ['referrals:write'], stepUp: false },
  getDisclosureProfiles: { method: 'GET', path: '/v1/disclosure-profiles', fastifyPath: '/v1/disclosure-profiles', scopes: ['referrals:read'], sessionScopes: ['referrals:read'], stepUp: false },
  receiveMessage: { method: 'POST', path: '/federation/v1/messages', fastifyPath: '/federation/v1/messages', scopes: null, sessionScopes: null, stepUp: false },
  getNodeMetadata: { method: 'GET', path: '/.well-known/bridge.json', fastifyPath: '/.well-known/bridge.json', scopes: null, sessionScopes: null, stepUp: false },
  getJwks: { method: 'GET', path: '/.well-known/jwks.json', fastifyPath: '/.well-known/jwks.json', scopes: null, sessionScopes: null, stepUp: false },
  listOutboxMessages: { method: 'GET', path: '/admin/v1/outbox', fastifyPath: '/admin/v1/outbox', scopes: ['admin'], sessionScopes: ['admin'], stepUp: false },
  resendOutboxMessage: { method: 'POST', path: '/admin/v1/outbox/{messageId}/resend', fastifyPath: '/admin/v1/outbox/:messageId/resend', scopes: ['admin'], sessionScopes: ['admin'], stepUp: false },
  discardOutboxMessage: { method: 'POST', path: '/admin/v1/outbox/{messageId}/discard', fastifyPath: '/admin/v1/outbox/:messageId/discard', scopes: ['admin'], sessionScopes: ['admin'], stepUp: true },
  searchAuditEvents: { method: 'GET', path: '/admin/v1/audit/events', fastifyPath: '/admin/v1/audit/events', scopes: ['audit:read'], sessionScopes: ['audit:read'], stepUp: false },
  getAuditEventProof: { method: 'GET', path: '/admin/v1/audit/events/{eventId}/proof', fastifyPath: '/admin/v1/audit/events/:eventId/proof', scopes: ['audit:read'], sessionScopes: ['audit:read'], stepUp: false },
  getAuditConsistencyProof: { method: 'GET', path: '/admin/v1/audit/consistency', fastifyPath: '/admin/v1/audit/consistency', scopes: ['audit:read'], sessionScopes: ['audit:read'], stepUp: false },
  exportAuditLog: { method: 'GET', path: '/admin/v1/audit/export', fastifyPath: '/admin/v1/audit/export', scopes: ['audit:read'], sessionScopes: ['audit:read'], stepUp: true },
  verifyAuditLog: { method: 'POST', path: '/admin/v1/audit/verify', fastifyPath: '/admin/v1/audit/verify', scopes: ['audit:read'], sessionScopes: ['audit:read'], stepUp: false },
  witnessAuditCheckpoints: { method: 'POST', path: '/admin/v1/audit/witness', fastifyPath: '/admin/v1/audit/witness', scopes: ['admin'], sessionScopes: ['admin'], stepUp: false },
  requestAuditCheckpoint: { method: 'POST', path: '/federation/v1/audit/checkpoint', fastifyPath: '/federation/v1/audit/checkpoint', scopes: null, sessionScopes: null, stepUp: false },
  submitAuditCosignature: { method: 'POST', path: '/federation/v1/audit/cosignatures', fastifyPath: '/federation/v1/audit/cosignatures', scopes: null, sessionScopes: null, stepUp: false },
  listWebhookDeliveries: { method: 'GET', path: '/admin/v1/webhook-deliveries', fastifyPath: '/admin/v1/webhook-deliveries', scopes: ['admin'], sessionScopes: ['admin'], stepUp: false },
  resendWebhookDelivery: { method: 'POST', path: '/admin/v1/webhook-deliveries/{deliveryId}/resend', fastifyPath: '/admin/v1/webhook-deliveries/:deliveryId/resend', scopes: ['admin'], sessionScopes: ['admin'], stepUp: false },
  getHealth: { method: 'GET', path: '/healthz', fastifyPath: '/healthz', scopes: null, sessionScopes: null, stepUp: false },
  getReadiness: { method: 'GET', path: '/readyz', fastifyPath: '/readyz', scopes: null, sessionScopes: null, stepUp: false },
  getOpenApiDocument: { method: 'GET', path: '/openapi.json', fastifyPath: '/openapi.json', scopes: null, sessionScopes: null, stepUp: false },
  getApiDocs: { method: 'GET', path: '/docs', fastifyPath: '/docs', scopes: null, sessionScopes: null, stepUp: false },
  getMetrics: { method: 'GET', path: '/metrics', fastifyPath: '/metrics', scopes: null, sessionScopes: null, stepUp: false },
  getSignInOptions: { method: 'GET', path: '/v1/auth/options', fastifyPath: '/v1/auth/options', scopes: null, sessionScopes: null, stepUp: false },
  getSession: { method: 'GET', path: '/v1/auth/session', fastifyPath: '/v1/auth/session', scopes: null, sessionScopes: [], stepUp: false },
  signInWithPassword: { method: 'POST', path: '/v1/auth/sign-in/password', fastifyPath: '/v1/auth/sign-in/password', scopes: null, sessionScopes: null, stepUp: false },
  startPasskeySignIn: { method: 'POST', path: '/v1/auth/sign-in/passkey/options', fastifyPath: '/v1/auth/sign-in/passkey/options', scopes: null, sessionScopes: null, stepUp: false },
  signInWithPasskey: { method: 'POST', path: '/v1/auth/sign-in/passkey', fastifyPath: '/v1/auth/sign-in/passkey', scopes: null, sessionScopes: null, stepUp: false },
  startOidcSignIn: { method: 'POST', path: '/v1/auth/sign-in/oidc/start', fastifyPath: '/v1/auth/sign-in/oidc/start', scopes: null, sessionScopes: null, stepUp: false },
  completeOidcSignIn: { method: 'POST', path: '/v1/auth/sign-in/oidc', fastifyPath: '/v1/auth/sign-in/oidc', scopes: null, sessionScopes: null, stepUp: false },
  completeOidcSignInWithCode: { method: 'POST', path: '/v1/auth/sign-in/oidc/code', fastifyPath: '/v1/auth/sign-in/oidc/code', scopes: null, sessionScopes: null, stepUp: false },
  linkUserOidc: { method: 'PUT', path: '/admin/v1/users/{userId}/oidc', fastifyPath: '/admin/v1/users/:userId/oidc', scopes: null, sessionScopes: ['admin'], stepUp: true },
  signOut: { method: 'POST', path: '/v1/auth/sign-out', fastifyPath: '/v1/auth/sign-out', scopes: null, sessionScopes: [], stepUp: false },
  stepUpWithPassword: { method: 'POST', path: '/v1/auth/step-up/password', fastifyPath: '/v1/auth/step-up/password', scopes: null, sessionScopes: [], stepUp: false },
  startPasskeyStepUp: { method: 'POST', path: '/v1/auth/step-up/passkey/options', fastifyPath: '/v1/auth/step-up/passkey/options', scopes: null, sessionScopes: [], stepUp: false },
  stepUpWithPasskey: { method: 'POST', path: '/v1/auth/step-up/passkey', fastifyPath: '/v1/auth/step-up/passkey', scopes: null, sessionScopes: [], stepUp: false },
  listMySessions: { method: 'GET', path: '/v1/auth/sessions', fastifyPath: '/v1/auth/sessions', scopes: null, sessionScopes: [], stepUp: false },
  endMySession: { method: 'DELETE', path: '/v1/auth/sessions/{sessionId}', fastifyPath: '/v1/auth/sessions/:sessionId', scopes: null, sessionScopes: [], stepUp: false },
  updatePreferences: { method: 'PUT', path: '/v1/auth/preferences', fastifyPath: '/v1/auth/preferences', scopes: null, sessionScopes: [], stepUp: false },
  regenerateRecoveryCodes: { method: 'POST', path: '/v1/auth/recovery-codes', fastifyPath: '/v1/auth/recovery-codes', scopes: null, sessionScopes: [], stepUp: true },
  changePassword: { method: 'PUT', path: '/v1/auth/password', fastifyPath: '/v1/auth/password', scopes: null, sessionScopes: [], stepUp: true },
  startPasskeyRegistration: { method: 'POST', path: '/v1/auth/passkeys/options', fastifyPath: '/v1/auth/passkeys/options', scopes: null, sessionScopes: [], stepUp: true },
  addPasskey: { method: 'POST', path: '/v1/auth/passkeys', fastifyPath: '/v1/auth/passkeys', scopes: null, sessionScopes: [], stepUp: true },
  deletePasskey: { method: 'DELETE', path: '/v1/auth/passkeys/{passkeyId}', fastifyPath: '/v1/auth/passkeys/:passkeyId', scopes: null, sessionScopes: [], stepUp: true },
  getEnrolment: { method: 'POST', path: '/v1/auth/enrolment', fastifyPath: '/v1/auth/enrolment', scopes: null, sessionScopes: null, stepUp: false },
  startPasskeyEnrolment: { method: 'POST', path: '/v1/auth/enrolment/passkey/options', fastifyPath: '/v1/auth/enrolment/passkey/options', scopes: null, sessionScopes: null, stepUp: false },
  enrolPasskey: { method: 'POST', path: '/v1/auth/enrolment/passkey', fastifyPath: '/v1/auth/enrolment/passkey', scopes: null, sessionScopes: null, stepUp: false },
  startTotpEnrolment: { method: 'POST', path: '/v1/auth/enrolment/totp', fastifyPath: '/v1/auth/enrolment/totp', scopes: null, sessionScopes: null, stepUp: false },
  enrolPassword: { method: 'POST', path: '/v1/auth/enrolment/password', fastifyPath: '/v1/auth/enrolment/password', scopes: null, sessionScopes: null, stepUp: false },
  listUsers: { method: 'GET', path: '/admin/v1/users', fastifyPath: '/admin/v1/users', scopes: null, sessionScopes: ['admin'], stepUp: false },
  createUser: { method: 'POST', path: '/admin/v1/users', fastifyPath: '/admin/v1/users', scopes: null, sessionScopes: ['admin'], stepUp: true },
  getUser: { method: 'GET', path: '/admin/v1/users/{userId}', fastifyPath: '/admin/v1/users/:userId', scopes: null, sessionScopes: ['admin'], stepUp: false },
  setUserRoles: { method: 'PUT', path: '/admin/v1/users/{userId}/roles', fastifyPath: '/admin/v1/users/:userId/roles', scopes: null, sessionScopes: ['admin'], stepUp: true },
  disableUser: { method: 'POST', path: '/admin/v1/users/{userId}/disable', fastifyPath: '/admin/v1/users/:userId/disable', scopes: null, sessionScopes: ['admin'], stepUp: true },
  enableUser: { method: 'POST', path: '/admin/v1/users/{userId}/enable', fastifyPath: '/admin/v1/users/:userId/enable', scopes: null, sessionScopes: ['admin'], stepUp: true },
  resetUser: { method: 'POST', path: '/admin/v1/users/{userId}/reset', fastifyPath: '/admin/v1/users/:userId/reset', scopes: null, sessionScopes: ['admin'], stepUp: true },
  unlockUser: { method: 'POST', path: '/admin/v1/users/{userId}/unlock', fastifyPath: '/admin/v1/users/:userId/unlock', scopes: null, sessionScopes: ['admin'], stepUp: true },
  revokeUserSessions: { method: 'POST', path: '/admin/v1/users/{userId}/sessions/revoke', fastifyPath: '/admin/v1/users/:userId/sessions/revoke', scopes: null, sessionScopes: ['admin'], stepUp: true },
  getConsole: { method: 'GET', path: '/console', fastifyPath: '/console', scopes: null, sessionScopes: null, stepUp: false },
  getConsolePage: { method: 'GET', path: '/console/{page}', fastifyPath: '/console/:page', scopes: null, sessionScopes: null, stepUp: false },
  getConsoleAsset: { method: 'GET', path: '/console/assets/{asset}', fastifyPath: '/console/assets/:asset', scopes: null, sessionScopes: null, stepUp: false },
} as const;

export type operations = OperationTypes;

export type OperationId = keyof typeof operations;
