import { ListOutboxQuery, operations, OutboxMessageList, Problem } from '@bridge/contract';
import { listOutbox } from '../../outbox/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.listOutboxMessages;

export const listOutboxMessagesRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { querystring: ListOutboxQuery, response: { 200: OutboxMessageList, '4xx': Problem } },
    handler: async (request) => (await listOutbox(ctx.db, request.query)) as OutboxMessageList,
  });
};
