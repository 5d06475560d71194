import { operations, Passkey, PasskeyRegistration, Problem } from '@bridge/contract';
import { registerPasskey } from '../../people/passkeys.ts';
import type { RouteModule } from '../types.ts';

const op = operations.addPasskey;

export const addPasskeyRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: PasskeyRegistration, response: { 201: Passkey, '4xx': Problem } },
    handler: async (request, reply) => {
      const { user, session } = request.person!;
      const passkey = await ctx.db.transaction((tx) => registerPasskey(tx, ctx, user, 'register', session.id, request.body.challengeId, request.body.credential, request.body.name));
      return reply.code(201).send(passkey);
    },
  });
};
