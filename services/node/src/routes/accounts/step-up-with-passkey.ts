import { operations, PasskeyResponse, Problem, SessionInfo } from '@bridge/contract';
import { appendAudit } from '../../audit/append.ts';
import { verifyPasskey } from '../../people/passkeys.ts';
import { rotateSession } from '../../people/sessions.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.stepUpWithPasskey;

export const stepUpWithPasskeyRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: PasskeyResponse, response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => {
      const { user, session } = request.person!;
      await verifyPasskey(ctx, 'step_up', request.body.challengeId, request.body.credential, request.ip, { user, sessionId: session.id });
      const rotated = await ctx.db.transaction(async (tx) => {
        await appendAudit(tx, { type: 'auth.step_up', actor: `user:${user.id}`, at: ctx.clock.now(), detail: { method: 'passkey' } });
        return rotateSession(tx, session, ctx.clock.now());
      });
      return withSession(reply, ctx, user, rotated.session, rotated.token);
    },
  });
};
