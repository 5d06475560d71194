import type { NodeContext } from '../../context.ts';
import type { App } from '../types.ts';
import { getApiDocsRoute } from './get-api-docs.ts';
import { getHealthRoute } from './get-health.ts';
import { getMetricsRoute } from './get-metrics.ts';
import { getOpenApiDocumentRoute } from './get-open-api-document.ts';
import { getReadinessRoute } from './get-readiness.ts';

/** The liveness probe, on the federation listener: a load balancer in front of peers may ask it. */
export async function healthPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  getHealthRoute(app, ctx);
}

/** Readiness, metrics and the contract document: for the node's operators, on the private listener. */
export async function operationsPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  for (const route of [getReadinessRoute, getOpenApiDocumentRoute, getApiDocsRoute, getMetricsRoute]) route(app, ctx);
}
