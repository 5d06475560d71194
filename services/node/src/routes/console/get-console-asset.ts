import { ConsoleAssetParams, operations } from '@bridge/contract';
import { notFound } from '../../errors.ts';
import type { App } from '../types.ts';
import { CONSOLE_HEADERS, requireBundle, type ConsoleBundle } from './bundle.ts';

const op = operations.getConsoleAsset;

/** A hashed build file: its name changes whenever its content does, so it may be cached for good. */
export function getConsoleAssetRoute(app: App, bundle: ConsoleBundle | undefined): void {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    // The body is the file's bytes (ConsoleAsset in the contract), sent as they are: no serializer.
    schema: { params: ConsoleAssetParams },
    handler: async (request, reply) => {
      const file = requireBundle(bundle).assets.get(request.params.asset);
      if (!file) throw notFound('console file');
      return reply.type(file.type).headers(CONSOLE_HEADERS).header('cache-control', 'public, max-age=31536000, immutable').send(file.body);
    },
  });
}
