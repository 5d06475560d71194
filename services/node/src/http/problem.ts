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

export function sendProblem(reply: FastifyReply, request: FastifyRequest, status: number, code: ProblemCode, detail?: string, errors?: Problem['errors']): FastifyReply {
  const body: Problem = {
    type: `urn:bridge:problem:${code}`,
    title: TITLES[code] ?? code.replace(/_/g, ' '),
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    instance: request.url.split('?')[0]!,
    requestId: String(request.id),
    ...(errors ? { errors } : {}),
  };
  return reply.code(status).type('application/problem+json').send(body);
}

export interface ProblemParts {
  status: number;
  code: ProblemCode;
  detail?: string;
  errors?: Problem['errors'];
}

/**
 * Maps any error to its problem. Known errors keep their stable code; anything else is logged by
 * name, codes and frames only (messages can quote data) and becomes a bare 500.
 */
export function problemFromError(error: FastifyError, request: FastifyRequest): ProblemParts {
  if (error instanceof BridgeError) return { status: error.status, code: error.code, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) };
  if (hasZodFastifySchemaValidationErrors(error)) {
    // A JSON Pointer into the request: /body/person/givenName, /querystring/limit, /params/referralId.
    const errors = error.validation.map((v) => ({ path: `/${error.validationContext ?? 'body'}${v.instancePath}`, message: v.message ?? 'invalid' }));
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
    return sendProblem(reply, request, p.status, p.code, p.detail, p.errors);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, 404, 'not_found', 'no such route'));
}
