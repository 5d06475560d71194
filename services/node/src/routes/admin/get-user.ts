import { operations, Problem, User, UserIdParams } from '@bridge/contract';
import { getUser } from '../../people/users.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getUser;

export const getUserRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: UserIdParams, response: { 200: User, '4xx': Problem } },
    handler: async (request) => getUser(ctx, request.params.userId),
  });
};
