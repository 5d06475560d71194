import { MetricsText, operations } from '@bridge/contract';
import type { RouteModule } from '../types.ts';

const op = operations.getMetrics;

/** Collected at scrape time from this node's own registry (the outbox gauge reads the database). */
export const getMetricsRoute: RouteModule = (app, ctx) => {
  const { registry } = ctx.metrics;
  app.route({
    method: op.method,
    url: op.fastifyPath,
    // A string sent as text/plain bypasses the JSON serializer; the schema states the type.
    schema: { response: { 200: MetricsText } },
    handler: async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  });
};
