import { OpenApiDocument, operations } from '@bridge/contract';
import type { RouteModule } from '../types.ts';
import { servedContractDocument } from './served-document.ts';

const op = operations.getOpenApiDocument;

export const getOpenApiDocumentRoute: RouteModule = (app, ctx) => {
  // The contract cannot change while the node runs: read it once.
  const document = servedContractDocument(ctx.config.publicUrl);
  app.route({ method: op.method, url: op.fastifyPath, schema: { response: { 200: OpenApiDocument } }, handler: async () => document });
};
