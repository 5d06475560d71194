import { operations, Problem, Referral, ReferralCreate } from '@bridge/contract';
import { createReferral } from '../../referrals/create-referral.ts';
import type { RouteModule } from '../types.ts';

const op = operations.createReferral;

export const createReferralRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    config: { scope: 'referrals:write' },
    schema: { body: ReferralCreate, response: { 201: Referral, '4xx': Problem } },
    handler: async (request, reply) => reply.code(201).send(await createReferral(ctx, request.body, `client:${request.client!.id}`)),
  });
};
