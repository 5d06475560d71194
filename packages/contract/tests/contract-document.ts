/**
 * Helpers for the contract tests: walk the OpenAPI document for examples, and validate values
 * against its schemas with Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
 */
import ajvModule from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';

type Json = Record<string, unknown>;
export type Doc = Json & { paths: Record<string, Json>; components: Json & { schemas: Record<string, Json> } };

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Operation {
  method: string;
  path: string;
  op: Json;
}

export interface ExampleCase {
  /** Where the example is, e.g. "createReferral requestBody application/json #shelterAndReturn". */
  where: string;
  schema: Json;
  value: unknown;
  /** Set for parameters, which are validated against the zod schema of their operation and location. */
  parameter?: { operationId: string; in: string; name: string };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Follows a local `$ref` (one level or a chain) to the object it points to. */
export function deref(doc: Doc, node: unknown): Json {
  let current = node;
  for (let i = 0; i < 10 && isObject(current) && typeof current.$ref === 'string'; i++) {
    const pointer = current.$ref.replace(/^#\//, '').split('/');
    current = pointer.reduce<unknown>((acc, key) => (isObject(acc) ? acc[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
  }
  if (!isObject(current)) throw new Error(`cannot resolve ${JSON.stringify(node)}`);
  return current;
}

export function listOperations(doc: Doc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => isObject(item[m])).map((method) => ({ method, path, op: item[method] as Json })),
  );
}

/** The examples of a media type or parameter object: `example`, or every entry of `examples`. */
function examplesOf(doc: Doc, holder: Json): [string, unknown][] {
  const found: [string, unknown][] = [];
  if ('example' in holder) found.push(['', holder.example]);
  if (isObject(holder.examples)) {
    for (const [name, ex] of Object.entries(holder.examples)) found.push([` #${name}`, deref(doc, ex).value]);
  }
  return found;
}

/**
 * Every parameter, request body content and response content of every operation, with its examples.
 * Returns the cases and the places that have no example at all.
 */
export function collectExamples(doc: Doc): { cases: ExampleCase[]; missing: string[] } {
  const cases: ExampleCase[] = [];
  const missing: string[] = [];
  const add = (where: string, holder: Json, parameter?: ExampleCase['parameter']) => {
    const found = examplesOf(doc, holder);
    if (found.length === 0) missing.push(where);
    if (!isObject(holder.schema)) missing.push(`${where} (no schema)`);
    for (const [suffix, value] of found) {
      cases.push({ where: where + suffix, schema: holder.schema as Json, value, ...(parameter ? { parameter } : {}) });
    }
  };
  for (const { op } of listOperations(doc)) {
    const id = String(op.operationId);
    for (const p of (op.parameters as unknown[] | undefined) ?? []) {
      const param = deref(doc, p);
      add(`${id} parameter ${String(param.in)} ${String(param.name)}`, param, {
        operationId: id,
        in: String(param.in),
        name: String(param.name),
      });
    }
    if (op.requestBody) {
      const body = deref(doc, op.requestBody);
      for (const [type, media] of Object.entries(body.content as Json)) add(`${id} requestBody ${type}`, media as Json);
    }
    for (const [status, r] of Object.entries(op.responses as Json)) {
      const response = deref(doc, r);
      for (const [type, media] of Object.entries((response.content as Json | undefined) ?? {})) {
        add(`${id} ${status} ${type}`, media as Json);
      }
    }
  }
  return { cases, missing };
}

/** The component name a schema object refers to, or undefined for an inline schema. */
export function componentName(schema: Json): string | undefined {
  const ref = schema.$ref;
  return typeof ref === 'string' ? /^#\/components\/schemas\/([^/]+)$/.exec(ref)?.[1] : undefined;
}

const BASE = 'urn:bridge:contract';

/** Deep copy with `#/components/schemas/X` refs pointing into the registered `$defs` instead. */
function relink(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relink);
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${BASE}#/$defs/`) : relink(v),
    ]),
  );
}

export type Validate = (schema: Json, value: unknown) => string[];

/** A validator for values against schemas of the document (inline or `$ref`), with formats. */
export function createValidator(doc: Doc): Validate {
  const Ajv2020 = ajvModule.default;
  const addFormats = formatsModule.default;
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: BASE, $defs: relink(doc.components.schemas) });
  return (schema, value) => {
    const validate = ajv.compile(relink(schema) as Json);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}
