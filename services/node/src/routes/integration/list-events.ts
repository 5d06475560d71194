import { EventPage, ListEventsQuery, operations, Problem } from '@bridge/contract';
import { listEvents } from '../../events/feed.ts';
import type { RouteModule } from '../types.ts';

const op = operations.listEvents;

export const listEventsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { querystring: ListEventsQuery, response: { 200: EventPage, '4xx': Problem } },
    handler: async (request) => listEvents(ctx.db, request.query),
  });
};
