import { operations, Problem, User, UserIdParams } from '@bridge/contract';
import { setUserStatus } from '../../people/users.ts';
import type { RouteModule } from '../types.ts';

const op = operations.enableUser;

export const enableUserRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: UserIdParams, response: { 200: User, '4xx': Problem } },
    handler: async (request) => setUserStatus(ctx, request.params.userId, true, request.client!.id),
  });
};
