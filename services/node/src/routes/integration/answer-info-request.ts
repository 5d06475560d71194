import { IdempotencyKeyHeaders, InfoRequest, InfoText, operations, Problem, QuestionIdParams } from '@bridge/contract';
import { answerInfoRequest } from '../../referrals/info-requests.ts';
import { idempotent } from '../../http/idempotency.ts';
import type { RouteModule } from '../types.ts';

const op = operations.answerInfoRequest;

export const answerInfoRequestRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: QuestionIdParams, headers: IdempotencyKeyHeaders, body: InfoText, response: { 200: InfoRequest, '4xx': Problem } },
    handler: async (request, reply) => {
      const client = request.client!;
      const { referralId, questionId } = request.params;
      const result = await idempotent(ctx, { clientId: client.id, key: request.headers['idempotency-key'], fingerprint: [op.method, op.path, referralId, questionId, request.body] }, async (tx) => ({
        status: 200,
        body: await answerInfoRequest(tx, ctx, referralId, questionId, request.body.text, `client:${client.id}`),
      }));
      if (!result.replayed) ctx.wakeDispatcher();
      return reply.code(result.status).header('idempotent-replayed', String(result.replayed)).send(result.body);
    },
  });
};
