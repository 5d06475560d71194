import { OidcLocalFactor, operations, Problem, SessionInfo } from '@bridge/contract';
import { clearBinding, completeOidcSignInWithCode } from '../../people/oidc.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.completeOidcSignInWithCode;

export const completeOidcSignInWithCodeRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: OidcLocalFactor, response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => {
      const { token, session, user } = await completeOidcSignInWithCode(ctx, request, request.body.code);
      clearBinding(reply);
      return withSession(reply, ctx, user, session, token);
    },
  });
};
