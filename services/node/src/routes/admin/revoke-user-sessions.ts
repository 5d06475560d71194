import { operations, UserIdParams } from '@bridge/contract';
import { revokeUserSessions } from '../../people/users.ts';
import type { RouteModule } from '../types.ts';

const op = operations.revokeUserSessions;

export const revokeUserSessionsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: UserIdParams },
    handler: async (request, reply) => {
      await revokeUserSessions(ctx, request.params.userId, request.client!.id);
      return reply.code(204).send();
    },
  });
};
