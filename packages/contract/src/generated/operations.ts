/**
 * Generated from openapi/bridge.v1.yaml by `pnpm generate` (packages/contract/scripts/generate.ts).
 * Do not edit: change the contract and regenerate.
 */

import type { operations as OperationTypes } from './openapi.ts';

/**
 * Every operation of the contract: HTTP method, OpenAPI path, the same path in Fastify syntax, and
 * the bearer scopes of which a caller needs any one (null: no bearer token, e.g. federation or probes).
 * The node's bearer auth reads the scopes from here, so the contract and the enforcement cannot drift.
 * As a type, `operations` is openapi-typescript's per-operation types (parameters, bodies, responses).
 */
export const operations = {
  listReferrals: { method: 'GET', path: '/v1/referrals', fastifyPath: '/v1/referrals', scopes: ['referrals:read'] },
  createReferral: { method: 'POST', path: '/v1/referrals', fastifyPath: '/v1/referrals', scopes: ['referrals:write'] },
  getReferral: { method: 'GET', path: '/v1/referrals/{referralId}', fastifyPath: '/v1/referrals/:referralId', scopes: ['referrals:read'] },
  withdrawReferral: { method: 'POST', path: '/v1/referrals/{referralId}/withdraw', fastifyPath: '/v1/referrals/:referralId/withdraw', scopes: ['referrals:write'] },
  listEvents: { method: 'GET', path: '/v1/events', fastifyPath: '/v1/events', scopes: ['referrals:read'] },
  listWebhookSubscriptions: { method: 'GET', path: '/v1/webhooks', fastifyPath: '/v1/webhooks', scopes: ['admin'] },
  createWebhookSubscription: { method: 'POST', path: '/v1/webhooks', fastifyPath: '/v1/webhooks', scopes: ['admin'] },
  deleteWebhookSubscription: { method: 'DELETE', path: '/v1/webhooks/{subscriptionId}', fastifyPath: '/v1/webhooks/:subscriptionId', scopes: ['admin'] },
  acceptReferral: { method: 'POST', path: '/v1/referrals/{referralId}/accept', fastifyPath: '/v1/referrals/:referralId/accept', scopes: ['referrals:write'] },
  rejectReferral: { method: 'POST', path: '/v1/referrals/{referralId}/reject', fastifyPath: '/v1/referrals/:referralId/reject', scopes: ['referrals:write'] },
  startReferral: { method: 'POST', path: '/v1/referrals/{referralId}/start', fastifyPath: '/v1/referrals/:referralId/start', scopes: ['referrals:write'] },
  holdReferral: { method: 'POST', path: '/v1/referrals/{referralId}/hold', fastifyPath: '/v1/referrals/:referralId/hold', scopes: ['referrals:write'] },
  completeReferral: { method: 'POST', path: '/v1/referrals/{referralId}/complete', fastifyPath: '/v1/referrals/:referralId/complete', scopes: ['referrals:write'] },
  failReferral: { method: 'POST', path: '/v1/referrals/{referralId}/fail', fastifyPath: '/v1/referrals/:referralId/fail', scopes: ['referrals:write'] },
  markReferralEnteredInError: { method: 'POST', path: '/v1/referrals/{referralId}/entered-in-error', fastifyPath: '/v1/referrals/:referralId/entered-in-error', scopes: ['referrals:write'] },
  getCodeLists: { method: 'GET', path: '/v1/code-lists', fastifyPath: '/v1/code-lists', scopes: ['referrals:read'] },
  discloseReferral: { method: 'POST', path: '/v1/referrals/{referralId}/disclose', fastifyPath: '/v1/referrals/:referralId/disclose', scopes: ['referrals:write'] },
  revokeConsent: { method: 'POST', path: '/v1/referrals/{referralId}/consent/revoke', fastifyPath: '/v1/referrals/:referralId/consent/revoke', scopes: ['referrals:write'] },
  listInfoRequests: { method: 'GET', path: '/v1/referrals/{referralId}/info-requests', fastifyPath: '/v1/referrals/:referralId/info-requests', scopes: ['referrals:read'] },
  createInfoRequest: { method: 'POST', path: '/v1/referrals/{referralId}/info-requests', fastifyPath: '/v1/referrals/:referralId/info-requests', scopes: ['referrals:write'] },
  answerInfoRequest: { method: 'POST', path: '/v1/referrals/{referralId}/info-requests/{questionId}/answer', fastifyPath: '/v1/referrals/:referralId/info-requests/:questionId/answer', scopes: ['referrals:write'] },
  getDisclosureProfiles: { method: 'GET', path: '/v1/disclosure-profiles', fastifyPath: '/v1/disclosure-profiles', scopes: ['referrals:read'] },
  receiveMessage: { method: 'POST', path: '/federation/v1/messages', fastifyPath: '/federation/v1/messages', scopes: null },
  getNodeMetadata: { method: 'GET', path: '/.well-known/bridge.json', fastifyPath: '/.well-known/bridge.json', scopes: null },
  getJwks: { method: 'GET', path: '/.well-known/jwks.json', fastifyPath: '/.well-known/jwks.json', scopes: null },
  listOutboxMessages: { method: 'GET', path: '/admin/v1/outbox', fastifyPath: '/admin/v1/outbox', scopes: ['admin'] },
  resendOutboxMessage: { method: 'POST', path: '/admin/v1/outbox/{messageId}/resend', fastifyPath: '/admin/v1/outbox/:messageId/resend', scopes: ['admin'] },
  discardOutboxMessage: { method: 'POST', path: '/admin/v1/outbox/{messageId}/discard', fastifyPath: '/admin/v1/outbox/:messageId/discard', scopes: ['admin'] },
  searchAuditEvents: { method: 'GET', path: '/admin/v1/audit/events', fastifyPath: '/admin/v1/audit/events', scopes: ['audit:read'] },
  getAuditEventProof: { method: 'GET', path: '/admin/v1/audit/events/{eventId}/proof', fastifyPath: '/admin/v1/audit/events/:eventId/proof', scopes: ['audit:read'] },
  getAuditConsistencyProof: { method: 'GET', path: '/admin/v1/audit/consistency', fastifyPath: '/admin/v1/audit/consistency', scopes: ['audit:read'] },
  exportAuditLog: { method: 'GET', path: '/admin/v1/audit/export', fastifyPath: '/admin/v1/audit/export', scopes: ['audit:read'] },
  verifyAuditLog: { method: 'POST', path: '/admin/v1/audit/verify', fastifyPath: '/admin/v1/audit/verify', scopes: ['audit:read'] },
  witnessAuditCheckpoints: { method: 'POST', path: '/admin/v1/audit/witness', fastifyPath: '/admin/v1/audit/witness', scopes: ['admin'] },
  requestAuditCheckpoint: { method: 'POST', path: '/federation/v1/audit/checkpoint', fastifyPath: '/federation/v1/audit/checkpoint', scopes: null },
  submitAuditCosignature: { method: 'POST', path: '/federation/v1/audit/cosignatures', fastifyPath: '/federation/v1/audit/cosignatures', scopes: null },
  listWebhookDeliveries: { method: 'GET', path: '/admin/v1/webhook-deliveries', fastifyPath: '/admin/v1/webhook-deliveries', scopes: ['admin'] },
  resendWebhookDelivery: { method: 'POST', path: '/admin/v1/webhook-deliveries/{deliveryId}/resend', fastifyPath: '/admin/v1/webhook-deliveries/:deliveryId/resend', scopes: ['admin'] },
  getHealth: { method: 'GET', path: '/healthz', fastifyPath: '/healthz', scopes: null },
  getReadiness: { method: 'GET', path: '/readyz', fastifyPath: '/readyz', scopes: null },
  getOpenApiDocument: { method: 'GET', path: '/openapi.json', fastifyPath: '/openapi.json', scopes: null },
  getApiDocs: { method: 'GET', path: '/docs', fastifyPath: '/docs', scopes: null },
  getMetrics: { method: 'GET', path: '/metrics', fastifyPath: '/metrics', scopes: null },
} as const;

export type operations = OperationTypes;

export type OperationId = keyof typeof operations;
