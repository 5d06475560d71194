import { AuditConsistencyProof, ConsistencyQuery, operations, Problem } from '@bridge/contract';
import { consistencyBetween } from '../../audit/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getAuditConsistencyProof;

export const getAuditConsistencyProofRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { querystring: ConsistencyQuery, response: { 200: AuditConsistencyProof, '4xx': Problem } },
    handler: async (request) => consistencyBetween(ctx, request.query.fromSize, request.query.toSize),
  });
};
