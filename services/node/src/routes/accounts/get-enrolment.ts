import { Enrolment, EnrolmentToken, operations, Problem } from '@bridge/contract';
import { describeEnrolment } from '../../people/enrolment.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getEnrolment;

export const getEnrolmentRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: EnrolmentToken, response: { 200: Enrolment, '4xx': Problem } },
    handler: async (request) => describeEnrolment(ctx, request.body.token),
  });
};
