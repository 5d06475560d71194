import { operations, Problem, Referral, ReferralIdParams } from '@bridge/contract';
import { readReferral } from '../../referrals/queries.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getReferral;

export const getReferralRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: ReferralIdParams, response: { 200: Referral, '4xx': Problem } },
    handler: async (request) => readReferral(ctx, request.params.referralId, request.client!.id),
  });
};
