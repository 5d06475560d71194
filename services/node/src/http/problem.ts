import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { Problem, ProblemCode } from '@bridge/contract';
import { BridgeError } from '../errors.ts';
import { errorSummary } from '../log-safe.ts';

const TITLES: Partial<Record<ProblemCode, string>> = {
  validation_failed: 'Request is not valid',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  payload_too_large: 'Body too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  internal_error: 'Internal error',
};

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: ProblemCode,
  detail?: string,
  errors?: Problem['errors'],
  retryAfterSeconds?: number,
  requiredScopes?: readonly string[],
): FastifyReply {
  const body: Problem = {
    type: `urn:bridge:problem:${code}`,
    title: TITLES[code] ?? code.replace(/_/g, ' '),
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...instanceOf(request),
    requestId: String(request.id),
    ...(errors ? { errors } : {}),
    ...(requiredScopes ? { requiredScopes: [...requiredScopes] } : {}),
  };
  if (retryAfterSeconds !== undefined && !reply.hasHeader('retry-after')) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(status).type('application/problem+json').send(body);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The problem's `instance`: the path of a matched route, rebuilt from its pattern with only the
 * parameters that are ids (UUIDs) filled in. Never the raw URL: a client that puts a name into a
 * path or a query would otherwise get it echoed, and a path that matches no route has no instance.
 */
export function instanceOf(request: FastifyRequest): { instance?: string } {
  const pattern = request.routeOptions.url;
  if (!pattern) return {};
  const params = (request.params ?? {}) as Record<string, unknown>;
  return {
    instance: pattern.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
      const value = params[name];
      return typeof value === 'string' && UUID.test(value) ? value : `{${name}}`;
    }),
  };
}

/**
 * A validation message that names no input: unknown property names are not repeated, and a message
 * that quotes the rejected value is replaced by a generic one.
 */
function safeMessage(issue: { keyword?: string; instancePath?: string; message?: string }, input: unknown): string {
  if (issue.keyword === 'unrecognized_keys') return 'has properties the contract does not define';
  const message = issue.message ?? 'invalid';
  const value = (issue.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), input);
  if (typeof value === 'string' && value.length > 0 && message.includes(value)) return 'invalid value';
  return message;
}

export interface ProblemParts {
  status: number;
  code: ProblemCode;
  detail?: string;
  errors?: Problem['errors'];
  retryAfterSeconds?: number;
  requiredScopes?: readonly string[];
}

/**
 * Maps any error to its problem. Known errors keep their stable code; anything else is logged by
 * name, codes and frames only (messages can quote data) and becomes a bare 500.
 */
export function problemFromError(error: FastifyError, request: FastifyRequest): ProblemParts {
  if (error instanceof BridgeError) {
    return {
      status: error.status,
      code: error.code,
      detail: error.message,
      ...(error.errors ? { errors: error.errors } : {}),
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
      ...(error.requiredScopes === undefined ? {} : { requiredScopes: error.requiredScopes }),
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    // A JSON Pointer into the request: /body/person/givenName, /querystring/limit, /params/referralId.
    const context = error.validationContext ?? 'body';
    const input = (request as unknown as Record<string, unknown>)[context];
    const errors = error.validation.map((v) => ({ path: `/${context}${v.instancePath}`, message: safeMessage(v, input) }));
    return { status: 400, code: 'validation_failed', detail: 'the request does not match the contract', errors };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'payload_too_large', detail: 'the body is over the size limit' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 415, code: 'unsupported_media_type', detail: 'this content type is not accepted here' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'validation_failed', detail: 'the body is not valid JSON' };
    case 'FST_ERR_VALIDATION':
      return { status: 400, code: 'validation_failed', detail: 'the request does not match the contract' };
  }
  if (error.code?.startsWith('FST_JWT_')) return { status: 401, code: 'unauthorized', detail: 'a valid bearer token is required' };
  request.log.error(errorSummary(error), 'unhandled error');
  return { status: 500, code: 'internal_error' };
}

/** One error handler for the whole node; plugins that must act on errors first call problemFromError. */
export function registerProblemHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const p = problemFromError(error, request);
    return sendProblem(reply, request, p.status, p.code, p.detail, p.errors, p.retryAfterSeconds, p.requiredScopes);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, 404, 'not_found', 'no such route'));
}
