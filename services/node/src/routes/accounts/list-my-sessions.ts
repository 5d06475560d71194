import { operations, Problem, SessionList } from '@bridge/contract';
import { listSessions } from '../../people/sessions.ts';
import type { RouteModule } from '../types.ts';

const op = operations.listMySessions;

export const listMySessionsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: SessionList, '4xx': Problem } },
    handler: async (request) => listSessions(ctx, request.person!.user.id, request.person!.session.id),
  });
};
