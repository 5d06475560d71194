import { Enrolled, operations, PasskeyEnrolment, Problem } from '@bridge/contract';
import { completeEnrolment, openEnrolment } from '../../people/enrolment.ts';
import { registerPasskey } from '../../people/passkeys.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.enrolPasskey;

export const enrolPasskeyRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: PasskeyEnrolment, response: { 201: Enrolled, '4xx': Problem } },
    handler: async (request, reply) => {
      const { token: link, challengeId, credential, name } = request.body;
      const done = await ctx.db.transaction(async (tx) => {
        const { enrolment, user } = await openEnrolment(tx, ctx, link);
        await registerPasskey(tx, ctx, user, 'enrol', null, challengeId, credential, name);
        return completeEnrolment(tx, ctx, enrolment, user, 'passkey');
      });
      const signedIn = await withSession(reply, ctx, done.user, done.session, done.token);
      return reply.code(201).send({ signedIn, recoveryCodes: done.recoveryCodes });
    },
  });
};
