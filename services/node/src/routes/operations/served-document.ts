import { loadContractDocument, type OpenApiDocument } from '@bridge/contract';

/**
 * The contract as this node serves it: the committed document, with this node's two listeners as
 * its servers (the document's templated server describes nodes in general, not this one). The
 * document is served on the private listener, so that one is the relative `/` (OpenAPI 3.1: relative
 * to where the document was fetched); peers reach only the federation listener, at the public URL.
 */
export function servedContractDocument(publicUrl: string): OpenApiDocument {
  return {
    ...(loadContractDocument() as OpenApiDocument),
    servers: [
      { url: '/', description: 'This node’s private listener, where this document is served: the integration and admin API, docs, metrics and readiness.' },
      { url: publicUrl, description: 'This node’s federation listener, the only one peers reach: /federation/v1, /.well-known and /healthz.' },
    ],
  };
}
