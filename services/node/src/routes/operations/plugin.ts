import type { NodeContext } from '../../context.ts';
import type { App } from '../types.ts';
import { getApiDocsRoute } from './get-api-docs.ts';
import { getHealthRoute } from './get-health.ts';
import { getMetricsRoute } from './get-metrics.ts';
import { getOpenApiDocumentRoute } from './get-open-api-document.ts';
import { getReadinessRoute } from './get-readiness.ts';

export async function operationsPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  for (const route of [getHealthRoute, getReadinessRoute, getOpenApiDocumentRoute, getApiDocsRoute, getMetricsRoute]) route(app, ctx);
}
