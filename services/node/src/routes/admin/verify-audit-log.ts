import { AuditVerification, operations, Problem } from '@bridge/contract';
import { verifyLog } from '../../audit/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.verifyAuditLog;

export const verifyAuditLogRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: AuditVerification, '4xx': Problem } },
    handler: async (request) => verifyLog(ctx, request.client!.id),
  });
};
