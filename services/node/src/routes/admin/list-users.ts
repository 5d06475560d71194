import { operations, Problem, UserList } from '@bridge/contract';
import { listUsers } from '../../people/users.ts';
import type { RouteModule } from '../types.ts';

const op = operations.listUsers;

export const listUsersRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: UserList, '4xx': Problem } },
    handler: async () => ({ items: await listUsers(ctx) }),
  });
};
