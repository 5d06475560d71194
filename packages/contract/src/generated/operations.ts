/**
 * Generated from openapi/bridge.v1.yaml by `pnpm generate` (packages/contract/scripts/generate.ts).
 * Do not edit: change the contract and regenerate.
 */

import type { operations as OperationTypes } from './openapi.ts';

/**
 * Every operation of the contract: HTTP method, OpenAPI path and the same path in Fastify syntax.
 * As a type, `operations` is openapi-typescript's per-operation types (parameters, bodies, responses).
 */
export const operations = {
  listReferrals: { method: 'GET', path: '/v1/referrals', fastifyPath: '/v1/referrals' },
  createReferral: { method: 'POST', path: '/v1/referrals', fastifyPath: '/v1/referrals' },
  getReferral: { method: 'GET', path: '/v1/referrals/{referralId}', fastifyPath: '/v1/referrals/:referralId' },
  withdrawReferral: { method: 'POST', path: '/v1/referrals/{referralId}/withdraw', fastifyPath: '/v1/referrals/:referralId/withdraw' },
  acceptReferral: { method: 'POST', path: '/v1/referrals/{referralId}/accept', fastifyPath: '/v1/referrals/:referralId/accept' },
  rejectReferral: { method: 'POST', path: '/v1/referrals/{referralId}/reject', fastifyPath: '/v1/referrals/:referralId/reject' },
  startReferral: { method: 'POST', path: '/v1/referrals/{referralId}/start', fastifyPath: '/v1/referrals/:referralId/start' },
  holdReferral: { method: 'POST', path: '/v1/referrals/{referralId}/hold', fastifyPath: '/v1/referrals/:referralId/hold' },
  completeReferral: { method: 'POST', path: '/v1/referrals/{referralId}/complete', fastifyPath: '/v1/referrals/:referralId/complete' },
  failReferral: { method: 'POST', path: '/v1/referrals/{referralId}/fail', fastifyPath: '/v1/referrals/:referralId/fail' },
  markReferralEnteredInError: { method: 'POST', path: '/v1/referrals/{referralId}/entered-in-error', fastifyPath: '/v1/referrals/:referralId/entered-in-error' },
  getCodeLists: { method: 'GET', path: '/v1/code-lists', fastifyPath: '/v1/code-lists' },
  receiveMessage: { method: 'POST', path: '/federation/v1/messages', fastifyPath: '/federation/v1/messages' },
  getNodeMetadata: { method: 'GET', path: '/.well-known/bridge.json', fastifyPath: '/.well-known/bridge.json' },
  getJwks: { method: 'GET', path: '/.well-known/jwks.json', fastifyPath: '/.well-known/jwks.json' },
  listOutboxMessages: { method: 'GET', path: '/admin/v1/outbox', fastifyPath: '/admin/v1/outbox' },
  resendOutboxMessage: { method: 'POST', path: '/admin/v1/outbox/{messageId}/resend', fastifyPath: '/admin/v1/outbox/:messageId/resend' },
  getHealth: { method: 'GET', path: '/healthz', fastifyPath: '/healthz' },
  getReadiness: { method: 'GET', path: '/readyz', fastifyPath: '/readyz' },
  getOpenApiDocument: { method: 'GET', path: '/openapi.json', fastifyPath: '/openapi.json' },
  getApiDocs: { method: 'GET', path: '/docs', fastifyPath: '/docs' },
  getMetrics: { method: 'GET', path: '/metrics', fastifyPath: '/metrics' },
} as const;

export type operations = OperationTypes;

export type OperationId = keyof typeof operations;
