import { DeliveryIdParams, operations, Problem, WebhookDelivery } from '@bridge/contract';
import { resendDelivery } from '../../webhooks/admin.ts';
import type { RouteModule } from '../types.ts';

const op = operations.resendWebhookDelivery;

export const resendWebhookDeliveryRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: DeliveryIdParams, response: { 200: WebhookDelivery, '4xx': Problem } },
    handler: async (request) => resendDelivery(ctx, request.params.deliveryId, `client:${request.client!.id}`),
  });
};
