import { DiscloseFields, IdempotencyKeyHeaders, operations, Problem, Referral, ReferralIdParams } from '@bridge/contract';
import { discloseReferral } from '../../referrals/disclose.ts';
import { idempotent } from '../../http/idempotency.ts';
import type { RouteModule } from '../types.ts';

const op = operations.discloseReferral;

export const discloseReferralRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: ReferralIdParams, headers: IdempotencyKeyHeaders, body: DiscloseFields, response: { 200: Referral, '4xx': Problem } },
    handler: async (request, reply) => {
      const client = request.client!;
      const { referralId } = request.params;
      const result = await idempotent(ctx, { clientId: client.id, key: request.headers['idempotency-key'], fingerprint: [op.method, op.path, referralId, request.body] }, async (tx) => ({
        status: 200,
        body: await discloseReferral(tx, ctx, referralId, request.body, `client:${client.id}`),
      }));
      if (!result.replayed) ctx.wakeDispatcher();
      return reply.code(result.status).header('idempotent-replayed', String(result.replayed)).send(result.body);
    },
  });
};
