import Fastify, { type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { NodeContext } from './context.ts';
import { newId } from './clock.ts';
import { registerProblemHandling } from './http/problem.ts';
import { federationPlugin } from './routes/federation/plugin.ts';
import { integrationPlugin } from './routes/integration/plugin.ts';
import { adminPlugin } from './routes/admin/plugin.ts';
import { operationsPlugin } from './routes/operations/plugin.ts';
import type { App } from './routes/types.ts';

/** The node's HTTP app: three surfaces, each its own encapsulated plugin with its own auth. */
export async function buildApp(ctx: NodeContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyMaxBytes,
    genReqId: () => newId(),
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandling(app);
  await app.register(operationsPlugin, { ctx });
  await app.register(federationPlugin, { ctx });
  await app.register(integrationPlugin, { ctx });
  await app.register(adminPlugin, { ctx });
  return app;
}
