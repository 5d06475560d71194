import { AuditEventList, operations, Problem, SearchAuditQuery } from '@bridge/contract';
import { appendAudit } from '../../audit/append.ts';
import { searchAudit } from '../../audit/search.ts';
import type { RouteModule } from '../types.ts';

const op = operations.searchAuditEvents;

export const searchAuditEventsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { querystring: SearchAuditQuery, response: { 200: AuditEventList, '4xx': Problem } },
    handler: async (request) => {
      // Reading the log is an audited admin action, as exporting it is: who searched, and by what
      // (the filters' names, not their values). Appended first, so an unfiltered search shows it;
      // a query the schema refused never gets here, one with a cursor this node did not issue does.
      const { limit: _limit, cursor: _cursor, ...filters } = request.query;
      const used = Object.entries(filters).filter(([, v]) => v !== undefined).map(([k]) => k).sort().join(',');
      await appendAudit(ctx.db, { type: 'audit.searched', actor: request.client!.id, at: ctx.clock.now(), detail: { filters: used } });
      return searchAudit(ctx.db, request.query);
    },
  });
};
