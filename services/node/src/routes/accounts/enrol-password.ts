import { Enrolled, operations, PasswordEnrolment, Problem } from '@bridge/contract';
import { enrolPassword } from '../../people/enrolment.ts';
import { withSession } from './respond.ts';
import type { RouteModule } from '../types.ts';

const op = operations.enrolPassword;

export const enrolPasswordRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { body: PasswordEnrolment, response: { 201: Enrolled, '4xx': Problem } },
    handler: async (request, reply) => {
      const done = await enrolPassword(ctx, request.body);
      const signedIn = await withSession(reply, ctx, done.user, done.session, done.token);
      return reply.code(201).send({ signedIn, recoveryCodes: done.recoveryCodes });
    },
  });
};
