import { Readable } from 'node:stream';
import { ExportAuditQuery, operations, Problem } from '@bridge/contract';
import { appendAudit } from '../../audit/append.ts';
import { exportAudit } from '../../audit/export.ts';
import { CSV_HEADER, toCsvRow, toNdjson } from '../../audit/export-format.ts';
import type { RouteModule } from '../types.ts';

const op = operations.exportAuditLog;

export const exportAuditLogRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { querystring: ExportAuditQuery, response: { '4xx': Problem } },
    handler: async (request, reply) => {
      const { format, ...filters } = request.query;
      await appendAudit(ctx.db, { type: 'audit.exported', actor: request.client!.id, at: ctx.clock.now(), detail: { format, filtered: Object.values(filters).some((v) => v !== undefined) } });
      const records = exportAudit(ctx, filters);
      async function* lines() {
        if (format === 'csv') yield CSV_HEADER;
        for await (const record of records) yield format === 'csv' ? toCsvRow(record) : toNdjson(record);
      }
      return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson').send(Readable.from(lines()) as never);
    },
  });
};
