import { AuditEventList, operations, Problem, SearchAuditQuery } from '@bridge/contract';
import { searchAudit } from '../../audit/search.ts';
import type { RouteModule } from '../types.ts';

const op = operations.searchAuditEvents;

export const searchAuditEventsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { querystring: SearchAuditQuery, response: { 200: AuditEventList, '4xx': Problem } },
    handler: async (request) => searchAudit(ctx.db, request.query),
  });
};
