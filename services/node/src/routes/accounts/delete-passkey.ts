import { operations, PasskeyIdParams } from '@bridge/contract';
import { deletePasskey } from '../../people/self-service.ts';
import type { RouteModule } from '../types.ts';

const op = operations.deletePasskey;

export const deletePasskeyRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: PasskeyIdParams },
    handler: async (request, reply) => {
      await deletePasskey(ctx, request.person!, request.params.passkeyId);
      return reply.code(204).send();
    },
  });
};
