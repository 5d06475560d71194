import { OidcStart, operations, Problem } from '@bridge/contract';
import { startOidcSignIn } from '../../people/oidc.ts';
import type { RouteModule } from '../types.ts';

const op = operations.startOidcSignIn;

export const startOidcSignInRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: OidcStart, '4xx': Problem } },
    handler: async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return startOidcSignIn(ctx, reply);
    },
  });
};
