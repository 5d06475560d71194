import { sql } from 'drizzle-orm';
import { operations, Readiness } from '@bridge/contract';
import { currentKey } from '@bridge/crypto';
import { migrationsCurrent } from '../../db/migrate.ts';
import type { NodeContext } from '../../context.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getReadiness;

async function checks(ctx: NodeContext): Promise<Readiness['checks']> {
  const database = await ctx.db.execute(sql`select 1`).then(
    () => true,
    () => false,
  );
  const migrations = database && (await migrationsCurrent(ctx.db));
  let keys = true;
  try {
    const now = ctx.clock.now();
    for (const purpose of ['signing', 'encryption', 'log', 'token'] as const) currentKey(ctx.config.keys[purpose], now);
  } catch {
    keys = false;
  }
  return { database, migrations, keys };
}

export const getReadinessRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: Readiness, 503: Readiness } },
    handler: async (_request, reply) => {
      const result = await checks(ctx);
      const ready = result.database && result.migrations && result.keys;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: result });
    },
  });
};
