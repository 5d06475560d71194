import { CheckpointResponse, CompactJws, operations, Problem } from '@bridge/contract';
import { answerCheckpointRequest } from '../../audit/witness.ts';
import { perAddress } from '../../http/rate-limit.ts';
import type { RouteModule } from '../types.ts';

const op = operations.requestAuditCheckpoint;

export const requestAuditCheckpointRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    config: perAddress(ctx.config.limits.messagesPerMinute),
    schema: { body: CompactJws, response: { 200: CheckpointResponse, '4xx': Problem } },
    handler: async (request) => answerCheckpointRequest(ctx, request.body, request.peer),
  });
};
