import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContractDocument } from '@bridge/contract';
import { renderApiDocs } from '../src/routes/operations/api-docs-html.ts';
import { startTestNode, type TestNode } from './support/nodes.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every operation of the contract as "METHOD /fastify/:path". */
function contractRoutes(): string[] {
  const paths = loadContractDocument().paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
  );
}

const contractOperationIds = (): string[] =>
  Object.values(loadContractDocument().paths as Record<string, Record<string, { operationId?: string }>>).flatMap((item) =>
    METHODS.flatMap((m) => (item[m]?.operationId ? [item[m].operationId] : [])),
  );

describe('the node serves exactly the contract', () => {
  let node: TestNode;

  beforeAll(async () => {
    node = await startTestNode('atina', { autoDispatch: false });
  });
  afterAll(async () => {
    await node?.stop();
  });

  /** Registered routes, without the HEAD routes Fastify adds by itself for each GET. */
  function servedRoutes(): string[] {
    const all = node.node.app.registeredRoutes;
    const gets = new Set(all.filter((r) => r.method === 'GET').map((r) => r.url));
    return all.filter((r) => !(r.method === 'HEAD' && gets.has(r.url))).map((r) => `${r.method} ${r.url}`);
  }

  it('registers every operation of the contract', () => {
    const served = new Set(servedRoutes());
    const missing = contractRoutes().filter((r) => !served.has(r));
    expect(missing, `in the contract but not served:\n${missing.join('\n')}`).toEqual([]);
  });

  it('registers no route that is not in the contract', () => {
    const inContract = new Set(contractRoutes());
    const extra = servedRoutes().filter((r) => !inContract.has(r));
    expect(extra, `served but not in the contract:\n${extra.join('\n')}`).toEqual([]);
    // the comparison is not vacuous: both sides list every operation, each once
    expect(servedRoutes().sort()).toEqual(contractRoutes().sort());
    expect(contractRoutes().length).toBeGreaterThanOrEqual(13);
  });

  it('serves the contract document at /openapi.json, with its own public URL as the first server', async () => {
    const res = await fetch(`${node.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const served = (await res.json()) as Record<string, unknown> & { servers: { url: string }[]; paths: object };
    const file = loadContractDocument();
    expect(served.servers[0]?.url).toBe(node.url);
    expect(Object.keys(served.paths)).toEqual(Object.keys(file.paths as object));
    // apart from the servers, it is the file itself
    expect({ ...served, servers: file.servers }).toEqual(file);
  });

  it('serves the contract as a self-contained HTML page at /docs, naming every operation', async () => {
    const res = await fetch(`${node.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const ids = contractOperationIds();
    expect(ids).toContain('getApiDocs');
    for (const id of ids) expect(html, id).toContain(`<code>${id}</code>`);
    // loads nothing from anywhere: no scripts, no external stylesheets, images or fonts
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=/i);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^\s"<]*"/);
  });
});

describe('the API docs renderer', () => {
  const evil = '<script>alert("x")</script>';
  const quote = `x" onmouseover="alert(1)`;
  const doc = {
    openapi: '3.1.0',
    info: { title: evil, version: evil, summary: evil, description: evil },
    servers: [{ url: evil, description: evil }],
    tags: [{ name: evil, description: evil }],
    paths: {
      [`/a/${evil}`]: {
        get: {
          operationId: quote,
          tags: [evil],
          summary: evil,
          description: evil,
          parameters: [{ name: evil, in: 'query', description: evil, schema: { type: 'string', description: evil }, example: evil }],
          responses: {
            '200': {
              description: evil,
              content: { [`application/${evil}`]: { schema: { $ref: `#/components/schemas/${quote}` }, examples: { [evil]: { summary: evil, value: { [evil]: evil } } } } },
            },
          },
        },
        post: {
          operationId: evil,
          requestBody: { content: { 'application/json': { schema: { type: 'object', title: evil }, example: evil } } },
          responses: { '204': { description: evil } },
        },
      },
    },
    components: { schemas: { [quote]: { type: 'string', description: evil, examples: [evil] } } },
  };

  it('escapes every string from the document, in text and in attributes', () => {
    const html = renderApiDocs(doc);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('" onmouseover="');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('id="operation-x&quot; onmouseover=&quot;alert(1)"');
    expect(html).toContain('href="#schema-x&quot; onmouseover=&quot;alert(1)"');
    // JSON shown in examples and schemas is escaped as well
    expect(html).toContain('&quot;&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;&quot;');
  });

  it('renders the real contract with every operation, its examples and its schemas', () => {
    const html = renderApiDocs(loadContractDocument());
    for (const id of contractOperationIds()) expect(html, id).toContain(`id="operation-${id}"`);
    expect(html).toContain('id="schema-Problem"');
    expect(html).toContain('Example <code>shelterAndReturn</code>');
    expect(html).not.toMatch(/<script/i);
  });
});
