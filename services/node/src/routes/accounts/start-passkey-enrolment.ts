import { EnrolmentToken, operations, PasskeyChallenge, Problem } from '@bridge/contract';
import { openEnrolment } from '../../people/enrolment.ts';
import { registrationOptions } from '../../people/passkeys.ts';
import type { RouteModule } from '../types.ts';

const op = operations.startPasskeyEnrolment;

export const startPasskeyEnrolmentRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: EnrolmentToken, response: { 200: PasskeyChallenge, '4xx': Problem } },
    handler: async (request) => {
      const { user } = await openEnrolment(ctx.db, ctx, request.body.token);
      return registrationOptions(ctx.db, ctx, user, 'enrol', null);
    },
  });
};
