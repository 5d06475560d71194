import { operations } from '@bridge/contract';
import { endSession } from '../../people/sessions.ts';
import { clearSessionCookie } from '../../people/session-auth.ts';
import type { RouteModule } from '../types.ts';

const op = operations.signOut;

export const signOutRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: {},
    handler: async (request, reply) => {
      const { user, session } = request.person!;
      await ctx.db.transaction((tx) => endSession(tx, ctx, user.id, session.id, 'signed_out', `user:${user.id}`));
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  });
};
