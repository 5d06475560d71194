import { CompactJwe, operations, Problem, ReceiptResponse } from '@bridge/contract';
import { receiveMessage } from '../../federation/receive-message.ts';
import type { RouteModule } from '../types.ts';

const op = operations.receiveMessage;

export const receiveMessageRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    bodyLimit: ctx.config.messageMaxBytes,
    schema: { body: CompactJwe, response: { 200: ReceiptResponse, '4xx': Problem } },
    handler: async (request) => receiveMessage(ctx, request.body),
  });
};
