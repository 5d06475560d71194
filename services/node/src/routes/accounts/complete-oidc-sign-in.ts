import { OidcCallback, operations, Problem, SessionInfo } from '@bridge/contract';
import { clearBinding, completeOidcSignIn } from '../../people/oidc.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.completeOidcSignIn;

export const completeOidcSignInRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: OidcCallback, response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => {
      const { token, session, user } = await completeOidcSignIn(ctx, request, request.body);
      clearBinding(reply);
      return withSession(reply, ctx, user, session, token);
    },
  });
};
