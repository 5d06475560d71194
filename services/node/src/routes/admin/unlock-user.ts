import { operations, Problem, User, UserIdParams } from '@bridge/contract';
import { unlockUser } from '../../people/users.ts';
import type { RouteModule } from '../types.ts';

const op = operations.unlockUser;

export const unlockUserRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: UserIdParams, response: { 200: User, '4xx': Problem } },
    handler: async (request) => unlockUser(ctx, request.params.userId, request.client!.id),
  });
};
