import type { NodeContext } from '../../context.ts';
import type { App } from '../types.ts';
import { getHealthRoute } from './get-health.ts';
import { getReadinessRoute } from './get-readiness.ts';

export async function operationsPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  for (const route of [getHealthRoute, getReadinessRoute]) route(app, ctx);
}
