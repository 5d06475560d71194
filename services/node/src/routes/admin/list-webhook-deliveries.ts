import { ListWebhookDeliveriesQuery, operations, Problem, WebhookDeliveryList } from '@bridge/contract';
import { listWebhookDeliveries } from '../../webhooks/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.listWebhookDeliveries;

export const listWebhookDeliveriesRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { querystring: ListWebhookDeliveriesQuery, response: { 200: WebhookDeliveryList, '4xx': Problem } },
    handler: async (request) => listWebhookDeliveries(ctx.db, request.query),
  });
};
