import { operations, Problem, SessionInfo } from '@bridge/contract';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getSession;

export const getSessionRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => withSession(reply, ctx, request.person!.user, request.person!.session),
  });
};
