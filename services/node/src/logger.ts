import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

/** The request being served, if any: log lines written on its behalf carry its id. */
export const requestScope = new AsyncLocalStorage<{ reqId: string }>();

const { chindingsSym } = pino.symbols;

/**
 * Logs carry ids, codes and counts. Redaction is the second line of defence for anything that
 * slips through: auth headers, tokens, key material and person fields.
 *
 * Every line written while a request is served carries `reqId`: Fastify's request logger binds it,
 * and the mixin adds it to lines that domain code writes through the node's own logger.
 */
export function createLogger(nodeId: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { node: nodeId },
      mixin(_merge, _level, logger) {
        const scope = requestScope.getStore();
        if (!scope) return {};
        const bindings = (logger as unknown as Record<symbol, string | undefined>)[chindingsSym] ?? '';
        return bindings.includes('"reqId":') ? {} : { reqId: scope.reqId };
      },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token', 'jwk', '*.jwk', 'd', '*.d', 'person', '*.person', 'body', '*.body'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
