import { operations, PasswordStepUp, Problem, SessionInfo } from '@bridge/contract';
import { stepUpWithPassword } from '../../people/sign-in.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.stepUpWithPassword;

export const stepUpWithPasswordRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: PasswordStepUp, response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => {
      const { user, session } = request.person!;
      const rotated = await stepUpWithPassword(ctx, user, session, request.body, request.ip);
      return withSession(reply, ctx, user, rotated.session, rotated.token);
    },
  });
};
