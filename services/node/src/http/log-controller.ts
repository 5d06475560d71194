import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { errorSummary } from '../log-safe.ts';

const route = (request: FastifyRequest) => request.routeOptions.url ?? 'unmatched';

/**
 * Fastify's own log lines, without what they quote by default: the raw URL (paths and queries can
 * carry names) and error messages (serializer and driver errors can quote data). Each line keeps
 * the request id from the request's child logger, the route pattern, the status and the timing.
 */
export class SafeLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.info({ method: request.method, route: route(request) }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...fields, ...errorSummary(error) }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }

  override defaultErrorLog(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
    reply.log[reply.statusCode >= 500 ? 'error' : 'info']({ statusCode: reply.statusCode, ...errorSummary(error) }, 'request failed');
  }

  override streamError(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
    reply.log.warn(errorSummary(error), 'response stream failed');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.info({ method: request.method }, 'no such route');
  }

  override writeHeadError(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
    reply.log.warn(errorSummary(error), 'could not write the response head');
  }

  override serializerError(error: Error, _request: FastifyRequest, reply: FastifyReply, metadata: { statusCode: number }): void {
    reply.log.error({ statusCode: metadata.statusCode, ...errorSummary(error) }, 'response serialization failed');
  }
}
