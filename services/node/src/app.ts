import Fastify, { type FastifyBaseLogger } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { storableText } from '@bridge/contract';
import type { NodeContext } from './context.ts';
import { currentKey } from '@bridge/crypto';
import { defaultHttpLimits, type Listener } from './config.ts';
import { requirePeerCertificate } from './http/peer-certificate.ts';
import { newId } from './clock.ts';
import { requestScope } from './logger.ts';
import { statusClass } from './metrics/metrics.ts';
import { SafeLogController } from './http/log-controller.ts';
import { registerProblemHandling } from './http/problem.ts';
import { federationPlugin } from './routes/federation/plugin.ts';
import { integrationPlugin } from './routes/integration/plugin.ts';
import { adminPlugin } from './routes/admin/plugin.ts';
import { accountsPlugin } from './routes/accounts/plugin.ts';
import { healthPlugin, operationsPlugin } from './routes/operations/plugin.ts';
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

/** A surface of the node: an encapsulated plugin with its own auth, registered on one listener. */
export type Surface = (app: App, options: { ctx: NodeContext }) => Promise<void>;

/**
 * What each listener serves, in registration order. Peers and the internet reach only the
 * federation listener; everything for the organisation itself (its systems, operators, auditors,
 * and the console, which registers here) is on the private one. No route is on both.
 */
export const surfaces: Record<Listener, readonly Surface[]> = {
  federation: [healthPlugin, federationPlugin],
  private: [operationsPlugin, integrationPlugin, adminPlugin, accountsPlugin, consolePlugin],
};

/** Sent on every answer unless the route set its own: JSON and problem bodies are never a document to render or frame. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
};

/** On the TLS listener: a year, as helmet's default; no includeSubDomains (the node does not own its parent domain). */
export const HSTS = 'max-age=31536000';

/** The node's HTTP apps, one per listener: the same problem handling, request ids, logging and metrics. */
export async function buildApps(ctx: NodeContext): Promise<Record<Listener, App>> {
  return { federation: await buildApp(ctx, 'federation'), private: await buildApp(ctx, 'private') };
}

/** The app of one listener, with exactly that listener's surfaces. */
export async function buildApp(ctx: NodeContext, listener: Listener): Promise<App> {
  const http = { ...defaultHttpLimits, ...ctx.config.http };
  const tls = listener === 'federation' && !ctx.config.federationPlainHttp && ctx.config.tls?.length ? currentKey(ctx.config.tls, ctx.clock.now()) : undefined;
  const app = Fastify({
    // Mutual TLS: a client certificate is asked for but checked against the pins per request
    // (requirePeerCertificate), since OpenSSL knows no CA for self-signed peers. TLS 1.2 at least;
    // 1.3 is negotiated whenever the peer offers it.
    ...(tls ? { https: { key: tls.privateKey, cert: tls.certificate, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' as const } } : {}),
    loggerInstance: (ctx.logger as FastifyBaseLogger).child({ listener }),
    bodyLimit: ctx.config.bodyMaxBytes,
    genReqId: () => newId(),
    // Fastify's own request lines would quote the raw URL and error messages.
    logController: new SafeLogController(),
    connectionTimeout: http.connectionTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;
  // Every route's body, query and path, on every surface, refuses text the database and the
  // canonical JSON cannot hold, before its own schema runs (validation_failed, like any other).
  app.setValidatorCompiler((route) => validatorCompiler({ ...route, schema: storableText(route.schema as z.ZodType) }));
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
      { listener, method: request.method, route: request.routeOptions.url ?? 'unmatched', status_class: statusClass(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  // Who is calling, by client certificate; null on every request without one (plain HTTP included).
  app.decorateRequest('peer', null);
  if (tls) requirePeerCertificate(app, ctx);
  // Sensible headers on every answer of every listener; a surface that sets its own (the console's
  // and the docs' Content-Security-Policy) keeps them. HSTS only where TLS is spoken.
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(tls ? { ...SECURITY_HEADERS, 'strict-transport-security': HSTS } : SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
  });
  // Parses cookies for every surface (people's sessions); no signing: the session token is opaque.
  await app.register(fastifyCookie);
  for (const surface of surfaces[listener]) await app.register(surface, { ctx });
  return app;
}
