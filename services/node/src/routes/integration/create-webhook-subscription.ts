import { operations, Problem, WebhookSubscriptionCreate, WebhookSubscriptionCreated } from '@bridge/contract';
import { createSubscription } from '../../webhooks/subscriptions.ts';
import type { RouteModule } from '../types.ts';

const op = operations.createWebhookSubscription;

export const createWebhookSubscriptionRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    // A subscription makes the node call a URL of the caller's choosing: an operator's decision.
    schema: { body: WebhookSubscriptionCreate, response: { 201: WebhookSubscriptionCreated, '4xx': Problem } },
    handler: async (request, reply) => {
      const created = await createSubscription(ctx, request.body, `client:${request.client!.id}`);
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  });
};
