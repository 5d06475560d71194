import { operations, PasswordChange, Problem, SessionInfo } from '@bridge/contract';
import { changePassword } from '../../people/self-service.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.changePassword;

export const changePasswordRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: PasswordChange, response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => {
      const { token, session, user } = await changePassword(ctx, request.person!, request.body.password);
      return withSession(reply, ctx, user, session, token);
    },
  });
};
