import type { z } from 'zod';
import { IdempotencyKeyHeaders, operations, Problem, Referral, ReferralIdParams, type OperationId } from '@bridge/contract';
import { setReferralStatus, type LocalStatusChange } from '../../referrals/set-status.ts';
import { idempotent } from '../../http/idempotency.ts';
import type { RouteModule } from '../types.ts';

/**
 * The shape every lifecycle operation shares (accept, reject, start, …): a POST with an optional
 * Idempotency-Key whose body becomes one status change, answered with the referral.
 */
export function statusRoute<B extends z.ZodType>(id: OperationId, body: B, change: (body: z.output<B>) => LocalStatusChange): RouteModule {
  const op = operations[id];
  return (app, ctx) => {
    app.route({
      method: op.method,
      url: op.fastifyPath,
      schema: { params: ReferralIdParams, headers: IdempotencyKeyHeaders, body, response: { 200: Referral, '4xx': Problem } },
      handler: async (request, reply) => {
        const client = request.client!;
        const { referralId } = request.params;
        const input = request.body as z.output<B>;
        const result = await idempotent(ctx, { clientId: client.id, key: request.headers['idempotency-key'], fingerprint: [op.method, op.path, referralId, input] }, async (tx) => ({
          status: 200,
          body: await setReferralStatus(tx, ctx, referralId, change(input), `client:${client.id}`),
        }));
        if (!result.replayed) ctx.wakeDispatcher();
        return reply.code(result.status).header('idempotent-replayed', String(result.replayed)).send(result.body);
      },
    });
  };
}
