import { loadContractDocument, type OpenApiDocument } from '@bridge/contract';

/**
 * The contract as this node serves it: the committed document, with the node's own public base URL
 * as the only server (the document's templated server describes nodes in general, not this one).
 */
export function servedContractDocument(publicUrl: string): OpenApiDocument {
  return { ...(loadContractDocument() as OpenApiDocument), servers: [{ url: publicUrl, description: 'This node.' }] };
}
