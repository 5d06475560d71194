import { CompactJws, operations, Problem } from '@bridge/contract';
import { acceptCosignature } from '../../audit/witness.ts';
import { perAddress } from '../../http/rate-limit.ts';
import type { RouteModule } from '../types.ts';

const op = operations.submitAuditCosignature;

export const submitAuditCosignatureRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    config: perAddress(ctx.config.limits.messagesPerMinute),
    schema: { body: CompactJws, response: { '4xx': Problem } },
    handler: async (request, reply) => {
      await acceptCosignature(ctx, request.body, request.peer);
      return reply.status(204).send(undefined as never);
    },
  });
};
