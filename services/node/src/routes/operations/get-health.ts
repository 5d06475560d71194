import { Health, operations } from '@bridge/contract';
import type { RouteModule } from '../types.ts';

const op = operations.getHealth;

export const getHealthRoute: RouteModule = (app) => {
  app.route({ method: op.method, url: op.fastifyPath, schema: { response: { 200: Health } }, handler: async () => ({ status: 'ok' as const }) });
};
