import { operations, Problem, UserCreate, UserCreated } from '@bridge/contract';
import { createUser } from '../../people/users.ts';
import type { RouteModule } from '../types.ts';

const op = operations.createUser;

export const createUserRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: UserCreate, response: { 201: UserCreated, '4xx': Problem } },
    handler: async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(await createUser(ctx, request.body, request.client!.id));
    },
  });
};
