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
  receiveMessage: { method: 'POST', path: '/federation/v1/messages', fastifyPath: '/federation/v1/messages' },
  getNodeMetadata: { method: 'GET', path: '/.well-known/bridge.json', fastifyPath: '/.well-known/bridge.json' },
  getJwks: { method: 'GET', path: '/.well-known/jwks.json', fastifyPath: '/.well-known/jwks.json' },
  listOutboxMessages: { method: 'GET', path: '/admin/v1/outbox', fastifyPath: '/admin/v1/outbox' },
  resendOutboxMessage: { method: 'POST', path: '/admin/v1/outbox/{messageId}/resend', fastifyPath: '/admin/v1/outbox/:messageId/resend' },
  searchAuditEvents: { method: 'GET', path: '/admin/v1/audit/events', fastifyPath: '/admin/v1/audit/events' },
  getAuditEventProof: { method: 'GET', path: '/admin/v1/audit/events/{eventId}/proof', fastifyPath: '/admin/v1/audit/events/:eventId/proof' },
  getAuditConsistencyProof: { method: 'GET', path: '/admin/v1/audit/consistency', fastifyPath: '/admin/v1/audit/consistency' },
  exportAuditLog: { method: 'GET', path: '/admin/v1/audit/export', fastifyPath: '/admin/v1/audit/export' },
  verifyAuditLog: { method: 'POST', path: '/admin/v1/audit/verify', fastifyPath: '/admin/v1/audit/verify' },
  witnessAuditCheckpoints: { method: 'POST', path: '/admin/v1/audit/witness', fastifyPath: '/admin/v1/audit/witness' },
  requestAuditCheckpoint: { method: 'POST', path: '/federation/v1/audit/checkpoint', fastifyPath: '/federation/v1/audit/checkpoint' },
  submitAuditCosignature: { method: 'POST', path: '/federation/v1/audit/cosignatures', fastifyPath: '/federation/v1/audit/cosignatures' },
  getHealth: { method: 'GET', path: '/healthz', fastifyPath: '/healthz' },
  getReadiness: { method: 'GET', path: '/readyz', fastifyPath: '/readyz' },
  getOpenApiDocument: { method: 'GET', path: '/openapi.json', fastifyPath: '/openapi.json' },
  getApiDocs: { method: 'GET', path: '/docs', fastifyPath: '/docs' },
  getMetrics: { method: 'GET', path: '/metrics', fastifyPath: '/metrics' },
} as const;

export type operations = OperationTypes;

export type OperationId = keyof typeof operations;
