import { ApiDocsHtml, operations } from '@bridge/contract';
import type { RouteModule } from '../types.ts';
import { renderApiDocs } from './api-docs-html.ts';
import { servedContractDocument } from './served-document.ts';

const op = operations.getApiDocs;

/** The page is static: no scripts, no frames, nothing fetched; only its own inline styles. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const getApiDocsRoute: RouteModule = (app, ctx) => {
  const html = renderApiDocs(servedContractDocument(ctx.config.publicUrl));
  app.route({
    method: op.method,
    url: op.fastifyPath,
    // A string sent as text/html bypasses the JSON serializer; the schema states the type.
    schema: { response: { 200: ApiDocsHtml } },
    handler: async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .send(html),
  });
};
