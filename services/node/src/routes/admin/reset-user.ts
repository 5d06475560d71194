import { EnrolmentLink, operations, Problem, UserIdParams } from '@bridge/contract';
import { resetUser } from '../../people/users.ts';
import type { RouteModule } from '../types.ts';

const op = operations.resetUser;

export const resetUserRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: UserIdParams, response: { 200: EnrolmentLink, '4xx': Problem } },
    handler: async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return resetUser(ctx, request.params.userId, request.client!.id);
    },
  });
};
