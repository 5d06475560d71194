import fastifyRateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { NodeContext } from '../context.ts';
import { BridgeError } from '../errors.ts';
import type { App } from '../routes/types.ts';

const MINUTE_MS = 60_000;

/** Only Retry-After is sent (on a 429); the x-ratelimit-* headers are not part of the contract. */
const common: RateLimitPluginOptions = {
  timeWindow: MINUTE_MS,
  addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
  addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
  // Thrown, so the one error handler (or the federation route's) answers it as problem+json.
  errorResponseBuilder: (_request, context) => new BridgeError(429, 'rate_limited', `retry after ${Math.max(1, Math.ceil(context.ttl / 1000))} seconds`),
};

/**
 * Every route of the surface it is registered in, per authenticated client. It runs as a preHandler,
 * after the bearer auth (an onRequest hook) has set `request.client`; each surface keeps its own budget.
 */
export async function registerClientRateLimit(app: App, ctx: NodeContext): Promise<void> {
  await app.register(fastifyRateLimit, {
    ...common,
    global: true,
    max: ctx.config.limits.clientPerMinute,
    hook: 'preHandler',
    keyGenerator: (request: FastifyRequest) => `client:${request.client?.id ?? request.ip}`,
  });
}

/**
 * Enables per-route limits in the federation surface, keyed by remote address. A remote address is
 * not a peer: the sender is known only once its message is decrypted and verified, which is the very
 * work a flood would cost, so messages are limited by address before their body is read, generously
 * (several peers may share an address, e.g. behind a gateway).
 */
export async function registerAddressRateLimit(app: App): Promise<void> {
  await app.register(fastifyRateLimit, { ...common, global: false });
}

/** The route config that limits a federation route to `perMinute` requests per remote address. */
export const perAddress = (perMinute: number) => ({ rateLimit: { max: perMinute, timeWindow: MINUTE_MS } });
