import { operations, PasskeyChallenge, Problem } from '@bridge/contract';
import { registrationOptions } from '../../people/passkeys.ts';
import type { RouteModule } from '../types.ts';

const op = operations.startPasskeyRegistration;

export const startPasskeyRegistrationRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: PasskeyChallenge, '4xx': Problem } },
    handler: async (request) => registrationOptions(ctx.db, ctx, request.person!.user, 'register', request.person!.session.id),
  });
};
