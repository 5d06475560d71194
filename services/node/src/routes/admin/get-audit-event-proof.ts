import { AuditEventIdParams, AuditEventProof, operations, Problem } from '@bridge/contract';
import { eventProof } from '../../audit/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getAuditEventProof;

export const getAuditEventProofRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: AuditEventIdParams, response: { 200: AuditEventProof, '4xx': Problem } },
    handler: async (request) => eventProof(ctx, request.params.eventId),
  });
};
