import { operations, PasswordSignIn, Problem, SessionInfo } from '@bridge/contract';
import { signInWithPassword } from '../../people/sign-in.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.signInWithPassword;

export const signInWithPasswordRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: PasswordSignIn, response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => {
      const { token, session, user } = await signInWithPassword(ctx, request.body, request.ip);
      return withSession(reply, ctx, user, session, token);
    },
  });
};
