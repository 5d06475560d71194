import { CompactJwe, operations, Problem, ReceiptResponse } from '@bridge/contract';
import type { FastifyError } from 'fastify';
import { receiveMessage } from '../../federation/receive-message.ts';
import { recordRefusal } from '../../federation/refusals.ts';
import { sendProblem } from '../../http/problem.ts';
import { perAddress } from '../../http/rate-limit.ts';
import type { RouteModule } from '../types.ts';

const op = operations.receiveMessage;

export const receiveMessageRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    bodyLimit: ctx.config.messageMaxBytes,
    // Before the body is read: see registerAddressRateLimit for why by address.
    config: perAddress(ctx.config.limits.messagesPerMinute),
    schema: { body: CompactJwe, response: { 200: ReceiptResponse, '4xx': Problem } },
    // Every error on this route is a refused message, from the body limit on: record it, then answer.
    errorHandler: async (error, request, reply) => {
      const p = await recordRefusal(ctx, error as FastifyError, request);
      return sendProblem(reply, request, p.status, p.code, p.detail, p.errors, p.retryAfterSeconds);
    },
    handler: async (request) => receiveMessage(ctx, request.body, request.peer),
  });
};
