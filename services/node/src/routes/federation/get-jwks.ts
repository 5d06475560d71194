import { Jwks, operations } from '@bridge/contract';
import { publicJwks } from '@bridge/crypto';
import type { RouteModule } from '../types.ts';

const op = operations.getJwks;

export const getJwksRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: Jwks } },
    handler: async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(publicJwks(ctx.config.keys) as Jwks),
  });
};
