import { operations, SessionIdParams } from '@bridge/contract';
import { notFound } from '../../errors.ts';
import { endSession } from '../../people/sessions.ts';
import { clearSessionCookie } from '../../people/session-auth.ts';
import type { RouteModule } from '../types.ts';

const op = operations.endMySession;

export const endMySessionRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: SessionIdParams },
    handler: async (request, reply) => {
      const { user, session } = request.person!;
      const ended = await ctx.db.transaction((tx) => endSession(tx, ctx, user.id, request.params.sessionId, 'ended_by_user', `user:${user.id}`));
      if (!ended) throw notFound('session');
      if (request.params.sessionId === session.id) clearSessionCookie(reply);
      return reply.code(204).send();
    },
  });
};
