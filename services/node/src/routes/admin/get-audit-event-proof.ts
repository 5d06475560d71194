import { AuditEventIdParams, AuditEventProof, operations, Problem } from '@bridge/contract';
import { appendAudit } from '../../audit/append.ts';
import { eventProof } from '../../audit/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getAuditEventProof;

export const getAuditEventProofRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: AuditEventIdParams, response: { 200: AuditEventProof, '4xx': Problem } },
    handler: async (request) => {
      // It returns the event itself: a read of the log, audited as a search by event id is.
      await appendAudit(ctx.db, { type: 'audit.searched', actor: request.client!.id, at: ctx.clock.now(), detail: { filters: 'eventId' } });
      return eventProof(ctx, request.params.eventId);
    },
  });
};
