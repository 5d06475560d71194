import { IdempotencyKeyHeaders, operations, Problem, Referral, ReferralCreate } from '@bridge/contract';
import { createReferral } from '../../referrals/create-referral.ts';
import { idempotent } from '../../http/idempotency.ts';
import type { RouteModule } from '../types.ts';

const op = operations.createReferral;

export const createReferralRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { headers: IdempotencyKeyHeaders, body: ReferralCreate, response: { 201: Referral, '4xx': Problem } },
    handler: async (request, reply) => {
      const client = request.client!;
      const result = await idempotent(ctx, { clientId: client.id, key: request.headers['idempotency-key'], fingerprint: [op.method, op.path, request.body] }, async (tx) => ({
        status: 201,
        body: await createReferral(tx, ctx, request.body, `client:${client.id}`),
      }), { atomic: true });
      if (!result.replayed) ctx.wakeDispatcher();
      return reply.code(result.status).header('idempotent-replayed', String(result.replayed)).send(result.body);
    },
  });
};
