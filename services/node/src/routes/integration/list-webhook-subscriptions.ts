import { operations, Problem, WebhookSubscriptionList } from '@bridge/contract';
import { listSubscriptions } from '../../webhooks/subscriptions.ts';
import type { RouteModule } from '../types.ts';

const op = operations.listWebhookSubscriptions;

export const listWebhookSubscriptionsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: WebhookSubscriptionList, '4xx': Problem } },
    handler: async () => ({ items: await listSubscriptions(ctx.db) }),
  });
};
