import Fastify, { type FastifyBaseLogger } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { NodeContext } from './context.ts';
import { defaultHttpLimits } from './config.ts';
import { newId } from './clock.ts';
import { requestScope } from './logger.ts';
import { statusClass } from './metrics/metrics.ts';
import { SafeLogController } from './http/log-controller.ts';
import { registerProblemHandling } from './http/problem.ts';
import { federationPlugin } from './routes/federation/plugin.ts';
import { integrationPlugin } from './routes/integration/plugin.ts';
import { adminPlugin } from './routes/admin/plugin.ts';
import { accountsPlugin } from './routes/accounts/plugin.ts';
import { operationsPlugin } from './routes/operations/plugin.ts';
import { consolePlugin } from './routes/console/plugin.ts';
import type { App } from './routes/types.ts';

/** A route as Fastify registered it (one entry per method, HEAD routes added for GET included). */
export interface RegisteredRoute {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app, in registration order: the tests compare them with the contract. */
    readonly registeredRoutes: readonly RegisteredRoute[];
  }
}

/** The node's HTTP app: three surfaces, each its own encapsulated plugin with its own auth. */
export async function buildApp(ctx: NodeContext): Promise<App> {
  const http = { ...defaultHttpLimits, ...ctx.config.http };
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyMaxBytes,
    genReqId: () => newId(),
    // Fastify's own request lines would quote the raw URL and error messages.
    logController: new SafeLogController(),
    connectionTimeout: http.connectionTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandling(app);
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  // Added before the plugins, so it sees the routes of every surface.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // The request's id follows the work done for it (domain code logs through ctx.logger); entered
  // again before validation because body parsing resumes in the socket's async context.
  app.addHook('onRequest', (request, _reply, done) => requestScope.run({ reqId: String(request.id) }, done));
  app.addHook('preValidation', (request, _reply, done) => requestScope.run({ reqId: String(request.id) }, done));
  // Labelled by the route pattern (never the raw URL, which can carry ids); unknown paths share one label.
  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_class: statusClass(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  // Parses cookies for every surface (people's sessions); no signing: the session token is opaque.
  await app.register(fastifyCookie);
  await app.register(operationsPlugin, { ctx });
  await app.register(federationPlugin, { ctx });
  await app.register(integrationPlugin, { ctx });
  await app.register(adminPlugin, { ctx });
  await app.register(consolePlugin, { ctx });
  await app.register(accountsPlugin, { ctx });
  return app;
}
