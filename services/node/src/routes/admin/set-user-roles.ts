import { operations, Problem, User, UserIdParams, UserRoles } from '@bridge/contract';
import { setUserRoles } from '../../people/users.ts';
import type { RouteModule } from '../types.ts';

const op = operations.setUserRoles;

export const setUserRolesRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: UserIdParams, body: UserRoles, response: { 200: User, '4xx': Problem } },
    handler: async (request) => setUserRoles(ctx, request.params.userId, request.body.roles, request.client!.id),
  });
};
