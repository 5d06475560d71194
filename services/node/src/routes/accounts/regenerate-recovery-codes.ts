import { operations, Problem, RecoveryCodes } from '@bridge/contract';
import { regenerateRecoveryCodes } from '../../people/self-service.ts';
import type { RouteModule } from '../types.ts';

const op = operations.regenerateRecoveryCodes;

export const regenerateRecoveryCodesRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: RecoveryCodes, '4xx': Problem } },
    handler: async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { recoveryCodes: await regenerateRecoveryCodes(ctx, request.person!) };
    },
  });
};
