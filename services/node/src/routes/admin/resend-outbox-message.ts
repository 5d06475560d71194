import { MessageIdParams, operations, OutboxMessage, Problem } from '@bridge/contract';
import { resendMessage } from '../../outbox/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.resendOutboxMessage;

export const resendOutboxMessageRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: MessageIdParams, response: { 200: OutboxMessage, '4xx': Problem } },
    handler: async (request) => (await resendMessage(ctx, request.params.messageId, request.client!.kind === 'user' ? request.client!.id : `client:${request.client!.id}`)) as OutboxMessage,
  });
};
