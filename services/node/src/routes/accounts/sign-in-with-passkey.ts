import { operations, PasskeyResponse, Problem, SessionInfo } from '@bridge/contract';
import { appendAudit } from '../../audit/append.ts';
import { verifyPasskey } from '../../people/passkeys.ts';
import { createSession } from '../../people/sessions.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.signInWithPasskey;

export const signInWithPasskeyRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: PasskeyResponse, response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => {
      const user = await verifyPasskey(ctx, 'sign_in', request.body.challengeId, request.body.credential, request.ip, null);
      const { token, session } = await ctx.db.transaction(async (tx) => {
        const created = await createSession(tx, ctx, user, 'passkey');
        await appendAudit(tx, { type: 'auth.sign_in.succeeded', actor: `user:${user.id}`, at: ctx.clock.now(), detail: { method: 'passkey' } });
        return created;
      });
      return withSession(reply, ctx, user, session, token);
    },
  });
};
