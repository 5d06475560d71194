import { InfoRequestList, operations, Problem, ReferralIdParams } from '@bridge/contract';
import { listInfoRequests } from '../../referrals/info-requests.ts';
import type { RouteModule } from '../types.ts';

const op = operations.listInfoRequests;

export const listInfoRequestsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: ReferralIdParams, response: { 200: InfoRequestList, '4xx': Problem } },
    handler: async (request) => listInfoRequests(ctx.db, request.params.referralId),
  });
};
