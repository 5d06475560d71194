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

/**
 * One error handler for the whole node. Known errors keep their stable code; anything else is
 * logged by name only (messages can quote data) and answered with a bare 500.
 */
export function registerProblemHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof BridgeError) return sendProblem(reply, request, error.status, error.code, error.message, error.errors);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((v) => ({ path: `${error.validationContext ?? ''}${v.instancePath}`, message: v.message ?? 'invalid' }));
      return sendProblem(reply, request, 400, 'validation_failed', 'the request does not match the contract', errors);
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, request, 413, 'payload_too_large', 'the body is over the size limit');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(reply, request, 415, 'unsupported_media_type', 'this content type is not accepted here');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, request, 400, 'validation_failed', 'the body is not valid JSON');
    }
    if (error.code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER' || error.code?.startsWith('FST_JWT_')) {
      return sendProblem(reply, request, 401, 'unauthorized', 'a valid bearer token is required');
    }
    if (error.statusCode === 400 && error.code === 'FST_ERR_VALIDATION') {
      return sendProblem(reply, request, 400, 'validation_failed', 'the request does not match the contract');
    }
    request.log.error(errorSummary(error), 'unhandled error');
    return sendProblem(reply, request, 500, 'internal_error');
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, 404, 'not_found', 'no such route'));
}
