import { loadContractDocument, operations, type OperationId } from '@bridge/contract';

/** One request per contract operation, built from the contract's own examples. */
export interface ContractRequest {
  operationId: OperationId;
  method: string;
  /** The path with every parameter filled in (overrides first, then the contract's example). */
  path: string;
  scopes: readonly string[] | null;
  /** Scopes a person's session needs (`[]`: any person; null: sessions not taken). */
  sessionScopes: readonly string[] | null;
  contentType?: string;
  body?: string;
}

type Json = Record<string, any>;

const document = loadContractDocument() as Json;

function resolve(node: Json | undefined): Json | undefined {
  let current = node;
  while (current && typeof current.$ref === 'string') {
    current = (current.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json | undefined>((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
  }
  return current;
}

function exampleOf(node: Json | undefined): unknown {
  const n = resolve(node);
  if (!n) return undefined;
  if (n.example !== undefined) return n.example;
  const first = Object.values((n.examples ?? {}) as Record<string, Json>)[0];
  if (first !== undefined) return resolve(first)?.value;
  if (n.schema) return exampleOf(n.schema);
  if (Array.isArray(n.examples)) return n.examples[0];
  return undefined;
}

/**
 * Builds a valid-enough request for every operation of the contract: path parameters from
 * `params` (by name) or the contract's examples, required query parameters from their examples,
 * and the first example of the request body. New operations are covered as soon as they are in
 * the contract.
 */
export function contractRequests(params: Record<string, string> = {}): ContractRequest[] {
  return (Object.entries(operations) as [OperationId, (typeof operations)[OperationId]][]).map(([operationId, op]) => {
    const spec = document.paths[op.path][op.method.toLowerCase()] as Json;
    const declared = [...((document.paths[op.path].parameters ?? []) as Json[]), ...((spec.parameters ?? []) as Json[])].map((p) => resolve(p)!);
    let path: string = op.path;
    const query = new URLSearchParams();
    for (const p of declared) {
      const value = params[p.name] ?? exampleOf(p);
      if (p.in === 'path') {
        if (value === undefined) throw new Error(`${operationId}: no example for path parameter ${p.name}`);
        path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
      } else if (p.in === 'query' && p.required) {
        if (value === undefined) throw new Error(`${operationId}: no example for required query parameter ${p.name}`);
        query.set(p.name, String(value));
      }
    }
    const request: ContractRequest = { operationId, method: op.method, path: query.size ? `${path}?${query}` : path, scopes: op.scopes, sessionScopes: op.sessionScopes };
    const content = resolve(spec.requestBody)?.content as Record<string, Json> | undefined;
    if (content) {
      const [contentType, media] = Object.entries(content)[0]!;
      const example = exampleOf(media);
      if (example === undefined) throw new Error(`${operationId}: the request body has no example`);
      request.contentType = contentType;
      request.body = typeof example === 'string' ? example : JSON.stringify(example);
    }
    return request;
  });
}
