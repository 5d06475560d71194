/**
 * Code generation from the contract: TypeScript types (openapi-typescript) and the operation table.
 * Pure: returns file contents keyed by repository-relative path; `generate.ts` writes them and the
 * tests regenerate them in memory to check the committed files are current.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const contractFile = 'openapi/bridge.v1.yaml';
export const openapiTypesFile = 'packages/contract/src/generated/openapi.ts';
export const operationsFile = 'packages/contract/src/generated/operations.ts';

const HEADER = `/**
 * Generated from ${contractFile} by \`pnpm generate\` (packages/contract/scripts/generate.ts).
 * Do not edit: change the contract and regenerate.
 */
`;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface OperationRow {
  operationId: string;
  method: string;
  path: string;
  fastifyPath: string;
  /** Bearer scopes of which the caller needs any one; null when the operation takes no bearer token. */
  scopes: string[] | null;
}

/**
 * The scopes an operation requires, from its `security`. Every operation must state it: `[]` for
 * no HTTP credentials (public, or authenticated by message signatures), else requirements of the
 * form `{ bearerAuth: [scope] }`, any one of which suffices.
 */
export function operationScopes(where: string, security: unknown): string[] | null {
  if (!Array.isArray(security)) throw new Error(`${where} does not state its security (use [] for none)`);
  if (security.length === 0) return null;
  return security.map((requirement: unknown) => {
    const entries = Object.entries((requirement ?? {}) as Record<string, unknown>);
    const [scheme, scopes] = entries[0] ?? [];
    if (entries.length !== 1 || scheme !== 'bearerAuth' || !Array.isArray(scopes) || scopes.length !== 1 || typeof scopes[0] !== 'string') {
      throw new Error(`${where}: each security requirement must be { bearerAuth: [<one scope>] }`);
    }
    return scopes[0];
  });
}

export function listOperations(document: unknown): OperationRow[] {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  const rows: OperationRow[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method] as { operationId?: unknown; security?: unknown } | undefined;
      if (!op) continue;
      if (typeof op.operationId !== 'string') throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      rows.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        fastifyPath: path.replace(/\{([^}]+)\}/g, ':$1'),
        scopes: operationScopes(`${method.toUpperCase()} ${path}`, op.security),
      });
    }
  }
  const ids = new Set(rows.map((r) => r.operationId));
  if (ids.size !== rows.length) throw new Error('duplicate operationId in the contract');
  return rows;
}

function renderOperations(rows: OperationRow[]): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = rows.map(
    (r) =>
      `  ${r.operationId}: { method: ${q(r.method)}, path: ${q(r.path)}, fastifyPath: ${q(r.fastifyPath)}, scopes: ${r.scopes ? `[${r.scopes.map(q).join(', ')}]` : 'null'} },`,
  );
  return `${HEADER}
import type { operations as OperationTypes } from './openapi.ts';

/**
 * Every operation of the contract: HTTP method, OpenAPI path, the same path in Fastify syntax, and
 * the bearer scopes of which a caller needs any one (null: no bearer token, e.g. federation or probes).
 * The node's bearer auth reads the scopes from here, so the contract and the enforcement cannot drift.
 * As a type, \`operations\` is openapi-typescript's per-operation types (parameters, bodies, responses).
 */
export const operations = {
${lines.join('\n')}
} as const;

export type operations = OperationTypes;

export type OperationId = keyof typeof operations;
`;
}

export async function generateContractFiles(): Promise<Record<string, string>> {
  const source = await readFile(new URL(contractFile, `file://${repoRoot}`), 'utf8');
  const document = parse(source) as unknown;
  const ast = await openapiTS(new URL(contractFile, `file://${repoRoot}`), { silent: true });
  return {
    [openapiTypesFile]: `${HEADER}\n${astToString(ast)}`,
    [operationsFile]: renderOperations(listOperations(document)),
  };
}
