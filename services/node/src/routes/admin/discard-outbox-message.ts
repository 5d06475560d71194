import { MessageIdParams, operations, OutboxDiscard, OutboxMessage, Problem } from '@bridge/contract';
import { discardMessage } from '../../outbox/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.discardOutboxMessage;

export const discardOutboxMessageRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: MessageIdParams, body: OutboxDiscard, response: { 200: OutboxMessage, '4xx': Problem } },
    handler: async (request) => (await discardMessage(ctx, request.params.messageId, request.body.reason, `client:${request.client!.id}`)) as OutboxMessage,
  });
};
