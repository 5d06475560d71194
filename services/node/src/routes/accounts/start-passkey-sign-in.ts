import { operations, PasskeyChallenge, Problem } from '@bridge/contract';
import { authenticationOptions } from '../../people/passkeys.ts';
import type { RouteModule } from '../types.ts';

const op = operations.startPasskeySignIn;

export const startPasskeySignInRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: PasskeyChallenge, '4xx': Problem } },
    handler: async () => authenticationOptions(ctx, 'sign_in', null, null),
  });
};
