import { operations, PasskeyChallenge, Problem } from '@bridge/contract';
import { authenticationOptions } from '../../people/passkeys.ts';
import type { RouteModule } from '../types.ts';

const op = operations.startPasskeyStepUp;

export const startPasskeyStepUpRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: PasskeyChallenge, '4xx': Problem } },
    handler: async (request) => authenticationOptions(ctx, 'step_up', request.person!.user, request.person!.session.id),
  });
};
