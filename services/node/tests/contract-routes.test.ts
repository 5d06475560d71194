import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContractDocument } from '@bridge/contract';
import { renderApiDocs } from '../src/routes/operations/api-docs-html.ts';
import { LISTENERS, type Listener } from '../src/config.ts';
import { contractRequests } from './support/contract-requests.ts';
import { listenerOf, startTestNode, type TestNode } from './support/nodes.ts';

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

describe('the node serves exactly the contract, each route on one of its two listeners', () => {
  let node: TestNode;

  beforeAll(async () => {
    node = await startTestNode('atina', { autoDispatch: false });
  });
  afterAll(async () => {
    await node?.stop();
  });

  /** Registered routes of one listener's app, without the HEAD routes Fastify adds by itself for each GET. */
  function servedRoutes(listener: Listener): string[] {
    const all = node.node.apps[listener].registeredRoutes;
    const gets = new Set(all.filter((r) => r.method === 'GET').map((r) => r.url));
    return all.filter((r) => !(r.method === 'HEAD' && gets.has(r.url))).map((r) => `${r.method} ${r.url}`);
  }
  const allServed = () => LISTENERS.flatMap(servedRoutes);

  it('registers every operation of the contract', () => {
    const served = new Set(allServed());
    const missing = contractRoutes().filter((r) => !served.has(r));
    expect(missing, `in the contract but not served:\n${missing.join('\n')}`).toEqual([]);
  });

  it('registers no route that is not in the contract, and none on both listeners', () => {
    const inContract = new Set(contractRoutes());
    const extra = allServed().filter((r) => !inContract.has(r));
    expect(extra, `served but not in the contract:\n${extra.join('\n')}`).toEqual([]);
    // the comparison is not vacuous: both sides list every operation, each once
    expect(allServed().sort()).toEqual(contractRoutes().sort());
    expect(contractRoutes().length).toBeGreaterThanOrEqual(13);
    const federation = new Set(servedRoutes('federation'));
    expect(servedRoutes('private').filter((r) => federation.has(r))).toEqual([]);
  });

  it('puts on the federation listener exactly /federation/v1/*, /.well-known/* and /healthz', () => {
    const peerFacing = (route: string) => /^\S+ \/(federation\/v1\/|\.well-known\/|healthz$)/.test(route);
    expect(servedRoutes('federation').length).toBeGreaterThanOrEqual(5);
    expect(servedRoutes('federation').filter((r) => !peerFacing(r))).toEqual([]);
    expect(servedRoutes('private').filter(peerFacing)).toEqual([]);
    for (const route of ['GET /v1/referrals', 'GET /admin/v1/outbox', 'GET /openapi.json', 'GET /docs', 'GET /metrics', 'GET /readyz']) {
      expect(servedRoutes('private'), route).toContain(route);
    }
  });

  it('answers every contract request on exactly one listener, and 404 no such route on the other', async () => {
    const urls: Record<Listener, string> = { federation: node.federationUrl, private: node.url };
    expect(new URL(urls.federation).port).not.toBe(new URL(urls.private).port);
    const requests = contractRequests();
    expect(requests.length).toBe(contractRoutes().length);
    const answeredOn: Record<string, Listener[]> = {};
    for (const request of requests) {
      for (const listener of LISTENERS) {
        // No credentials: a served route answers (401, 400, 200...), an unserved one is not found.
        const headers = request.contentType ? { 'content-type': request.contentType } : undefined;
        const res = await fetch(`${urls[listener]}${request.path}`, { method: request.method, ...(headers ? { headers } : {}), body: request.body ?? null });
        const body = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { code?: string; detail?: string }) : (await res.text(), {});
        const notFound = res.status === 404 && body.code === 'not_found' && body.detail === 'no such route';
        if (!notFound) (answeredOn[request.operationId] ??= []).push(listener);
        else expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    const expected = Object.fromEntries(requests.map((r) => [r.operationId, [listenerOf(r.path)]]));
    expect(answeredOn).toEqual(expected);
    expect(Object.values(answeredOn).flat()).toContain('federation');
    expect(Object.values(answeredOn).flat()).toContain('private');
  });

  it('serves the contract document at /openapi.json, naming both listeners as its servers', async () => {
    const res = await fetch(`${node.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const served = (await res.json()) as Record<string, unknown> & { servers: { url: string; description: string }[]; paths: object };
    const file = loadContractDocument();
    // relative to where the document was fetched: the private listener; then the public (federation) URL
    expect(served.servers.map((s) => s.url)).toEqual(['/', node.federationUrl]);
    expect(served.servers[1]?.description).toMatch(/federation listener/);
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
