import { IdempotencyKeyHeaders, InfoRequest, InfoText, operations, Problem, ReferralIdParams } from '@bridge/contract';
import { createInfoRequest } from '../../referrals/info-requests.ts';
import { idempotent } from '../../http/idempotency.ts';
import type { RouteModule } from '../types.ts';

const op = operations.createInfoRequest;

export const createInfoRequestRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: ReferralIdParams, headers: IdempotencyKeyHeaders, body: InfoText, response: { 201: InfoRequest, '4xx': Problem } },
    handler: async (request, reply) => {
      const client = request.client!;
      const { referralId } = request.params;
      const result = await idempotent(ctx, { clientId: client.id, key: request.headers['idempotency-key'], fingerprint: [op.method, op.path, referralId, request.body] }, async (tx) => ({
        status: 201,
        body: await createInfoRequest(tx, ctx, referralId, request.body.text, `client:${client.id}`),
      }));
      if (!result.replayed) ctx.wakeDispatcher();
      return reply.code(result.status).header('idempotent-replayed', String(result.replayed)).send(result.body);
    },
  });
};
