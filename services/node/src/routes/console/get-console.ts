import { ConsoleHtml, operations, Problem } from '@bridge/contract';
import type { FastifyReply } from 'fastify';
import type { App } from '../types.ts';
import { CONSOLE_HEADERS, requireBundle, type ConsoleBundle } from './bundle.ts';

const op = operations.getConsole;

export function getConsoleRoute(app: App, bundle: ConsoleBundle | undefined): void {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: ConsoleHtml, '5xx': Problem } },
    handler: async (_request, reply) => sendConsolePage(reply, bundle),
  });
}

/** The single page; never cached, so a new node version serves its new console at once. */
export function sendConsolePage(reply: FastifyReply, bundle: ConsoleBundle | undefined): FastifyReply {
  const { indexHtml } = requireBundle(bundle);
  return reply.type('text/html; charset=utf-8').headers(CONSOLE_HEADERS).header('cache-control', 'no-store').send(indexHtml);
}
