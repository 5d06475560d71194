import { ListReferralsQuery, operations, Problem, ReferralList } from '@bridge/contract';
import { readReferrals } from '../../referrals/queries.ts';
import type { RouteModule } from '../types.ts';

const op = operations.listReferrals;

export const listReferralsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { querystring: ListReferralsQuery, response: { 200: ReferralList, '4xx': Problem } },
    handler: async (request) => readReferrals(ctx, request.query, request.client!.id),
  });
};
