import { ConsoleHtml, ConsolePageParams, operations, Problem } from '@bridge/contract';
import type { App } from '../types.ts';
import type { ConsoleBundle } from './bundle.ts';
import { sendConsolePage } from './get-console.ts';

const op = operations.getConsolePage;

/** Any page address the console shows answers with the same single page, so reloading one works. */
export function getConsolePageRoute(app: App, bundle: ConsoleBundle | undefined): void {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { params: ConsolePageParams, response: { 200: ConsoleHtml, '4xx': Problem, '5xx': Problem } },
    handler: async (_request, reply) => sendConsolePage(reply, bundle),
  });
}
