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
  /**
   * Scopes of a person's session (cookieAuth) of which one suffices; `[]` means any signed-in person;
   * null when the operation takes no session.
   */
  sessionScopes: string[] | null;
  /** A session needs a fresh factor (step-up) for this operation (`x-bridge-step-up: true`). */
  stepUp: boolean;
}

/** One security requirement: exactly one scheme; bearerAuth names one scope, cookieAuth at most one. */
function requirementOf(where: string, requirement: unknown): { scheme: 'bearerAuth' | 'cookieAuth'; scope: string | null } {
  const entries = Object.entries((requirement ?? {}) as Record<string, unknown>);
  const [scheme, scopes] = entries[0] ?? [];
  const valid = entries.length === 1 && Array.isArray(scopes) && scopes.every((s) => typeof s === 'string');
  if (valid && scheme === 'bearerAuth' && scopes.length === 1) return { scheme, scope: scopes[0] as string };
  if (valid && scheme === 'cookieAuth' && scopes.length <= 1) return { scheme, scope: (scopes[0] as string | undefined) ?? null };
  throw new Error(`${where}: each security requirement must be { bearerAuth: [<one scope>] } or { cookieAuth: [] | [<one scope>] }`);
}

/**
 * The bearer scopes an operation requires, from its `security`. Every operation must state it: `[]` for
 * no HTTP credentials (public, or authenticated by message signatures), else requirements of the
 * form `{ bearerAuth: [scope] }` or `{ cookieAuth: [scope] }`, any one of which suffices. Null when no
 * requirement is a bearer one.
 */
export function operationScopes(where: string, security: unknown): string[] | null {
  if (!Array.isArray(security)) throw new Error(`${where} does not state its security (use [] for none)`);
  const bearer = security.map((r: unknown) => requirementOf(where, r)).filter((r) => r.scheme === 'bearerAuth');
  return bearer.length === 0 ? null : bearer.map((r) => r.scope!);
}

/** The session scopes an operation accepts: null for none, `[]` for any signed-in person. */
export function operationSessionScopes(where: string, security: unknown): string[] | null {
  if (!Array.isArray(security)) throw new Error(`${where} does not state its security (use [] for none)`);
  const cookie = security.map((r: unknown) => requirementOf(where, r)).filter((r) => r.scheme === 'cookieAuth');
  if (cookie.length === 0) return null;
  if (cookie.some((r) => r.scope === null)) {
    if (cookie.length > 1) throw new Error(`${where}: cookieAuth: [] (any person) cannot be combined with scoped cookie requirements`);
    return [];
  }
  return cookie.map((r) => r.scope!);
}

export function listOperations(document: unknown): OperationRow[] {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  const rows: OperationRow[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method] as { operationId?: unknown; security?: unknown; 'x-bridge-step-up'?: unknown } | undefined;
      if (!op) continue;
      if (typeof op.operationId !== 'string') throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      rows.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        fastifyPath: path.replace(/\{([^}]+)\}/g, ':$1'),
        scopes: operationScopes(`${method.toUpperCase()} ${path}`, op.security),
        sessionScopes: operationSessionScopes(`${method.toUpperCase()} ${path}`, op.security),
        stepUp: op['x-bridge-step-up'] === true,
      });
    }
  }
  const ids = new Set(rows.map((r) => r.operationId));
  if (ids.size !== rows.length) throw new Error('duplicate operationId in the contract');
  return rows;
}

function renderOperations(rows: OperationRow[]): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const list = (xs: string[] | null) => (xs ? `[${xs.map(q).join(', ')}]` : 'null');
  const lines = rows.map(
    (r) =>
      `  ${r.operationId}: { method: ${q(r.method)}, path: ${q(r.path)}, fastifyPath: ${q(r.fastifyPath)}, scopes: ${list(r.scopes)}, sessionScopes: ${list(r.sessionScopes)}, stepUp: ${r.stepUp} },`,
  );
  return `${HEADER}
import type { operations as OperationTypes } from './openapi.ts';

/**
 * Every operation of the contract: HTTP method, OpenAPI path, the same path in Fastify syntax, and
 * the bearer scopes of which a caller needs any one (null: no bearer token, e.g. federation or probes),
 * the scopes a person's session needs (\`[]\`: any signed-in person; null: no session), and whether a
 * session needs a fresh factor (step-up) for it.
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
