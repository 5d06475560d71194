import { operations, Problem, WitnessOutcomeList } from '@bridge/contract';
import { checkpointView } from '../../audit/admin.ts';
import { appendAudit } from '../../audit/append.ts';
import { witnessRound } from '../../audit/witness.ts';
import type { RouteModule } from '../types.ts';

const op = operations.witnessAuditCheckpoints;

export const witnessAuditCheckpointsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: WitnessOutcomeList, '4xx': Problem } },
    handler: async (request) => {
      await appendAudit(ctx.db, { type: 'audit.witnessed', actor: request.client!.id, at: ctx.clock.now() });
      const { checkpoint, peers } = await witnessRound(ctx);
      return { checkpoint: checkpointView(checkpoint), peers };
    },
  });
};
