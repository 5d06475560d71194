import { operations, Preferences, Problem, SessionInfo } from '@bridge/contract';
import { updatePreferences } from '../../people/self-service.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.updatePreferences;

export const updatePreferencesRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: Preferences, response: { 200: SessionInfo, '4xx': Problem } },
    handler: async (request, reply) => {
      const updated = await updatePreferences(ctx, request.person!, request.body.locale);
      return withSession(reply, ctx, updated.user, updated.session);
    },
  });
};
