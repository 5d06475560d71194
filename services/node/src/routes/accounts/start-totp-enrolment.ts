import { EnrolmentToken, operations, Problem, TotpSetup } from '@bridge/contract';
import { startTotpEnrolment } from '../../people/enrolment.ts';
import type { RouteModule } from '../types.ts';

const op = operations.startTotpEnrolment;

export const startTotpEnrolmentRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: EnrolmentToken, response: { 200: TotpSetup, '4xx': Problem } },
    handler: async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return startTotpEnrolment(ctx, request.body.token);
    },
  });
};
