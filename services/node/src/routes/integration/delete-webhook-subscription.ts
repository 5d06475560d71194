import { operations, SubscriptionIdParams } from '@bridge/contract';
import { deleteSubscription } from '../../webhooks/subscriptions.ts';
import type { RouteModule } from '../types.ts';

const op = operations.deleteWebhookSubscription;

export const deleteWebhookSubscriptionRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: SubscriptionIdParams },
    handler: async (request, reply) => {
      await ctx.db.transaction((tx) => deleteSubscription(tx, ctx, request.params.subscriptionId, `client:${request.client!.id}`));
      return reply.code(204).send();
    },
  });
};
