import pino, { type Logger } from 'pino';

/**
 * Logs carry ids, codes and counts. Redaction is the second line of defence for anything that
 * slips through: auth headers, tokens, key material and person fields.
 */
export function createLogger(nodeId: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { node: nodeId },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token', 'jwk', '*.jwk', 'd', '*.d', 'person', '*.person', 'body', '*.body'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
