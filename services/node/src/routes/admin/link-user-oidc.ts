import { OidcIdentity, operations, UserIdParams } from '@bridge/contract';
import { linkUserOidc } from '../../people/oidc.ts';
import type { RouteModule } from '../types.ts';

const op = operations.linkUserOidc;

export const linkUserOidcRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: UserIdParams, body: OidcIdentity },
    handler: async (request, reply) => {
      await linkUserOidc(ctx, request.params.userId, request.body, request.client!.id);
      return reply.code(204).send();
    },
  });
};
