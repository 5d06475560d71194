import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takePeerMessageBudget } from '../src/federation/peer-rate-limit.ts';
import type { NodeConfig } from '../src/config.ts';
import { encrypt, encryptionKeyOf, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { requestBody, snapshot } from './support/state.ts';
import { startTestNode, usePair, waitFor, type TestNode } from './support/nodes.ts';

describe('per-peer message budget', () => {
  const config = { limits: { clientPerMinute: 1, messagesPerMinute: 1, peerMessagesPerMinute: 2 } } as NodeConfig;
  let now = Date.parse('2026-01-01T00:00:00Z');
  const ctx = { config, clock: { now: () => new Date(now) } };

  it('counts each authenticated peer on its own and refuses the one over its budget with Retry-After', () => {
    takePeerMessageBudget(ctx, 'atina');
    takePeerMessageBudget(ctx, 'atina');
    takePeerMessageBudget(ctx, 'pvpt');
    now += 15_000;
    let refused: unknown;
    try {
      takePeerMessageBudget(ctx, 'atina');
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 45 });
    expect(() => takePeerMessageBudget(ctx, 'pvpt')).not.toThrow();
    // a new minute, a new budget
    now += 45_000;
    expect(() => takePeerMessageBudget(ctx, 'atina')).not.toThrow();
  });
});

describe('rate limit per authenticated peer on POST /federation/v1/messages', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]), {
    atina: { autoDispatch: false },
    pvpt: { autoDispatch: false, config: { limits: { clientPerMinute: 100_000, messagesPerMinute: 100_000, peerMessagesPerMinute: 2 } } },
  });

  async function send(): Promise<Response> {
    const sealed = await encrypt(await signInner(requestClaims(atina, pvpt, requestBody('pvpt')), signingKeyOf(atina)), encryptionKeyOf(pvpt));
    return fetch(`${pvpt.federationUrl}/federation/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: sealed });
  }

  it('accepts a peer up to its budget, then answers 429 rate_limited with Retry-After and stores nothing', async () => {
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const before = await snapshot(pvpt);
    const res = await send();
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    const after = await snapshot(pvpt);
    expect(after.inbound).toBe(before.inbound);
    expect(after.referrals).toBe(before.referrals);
  });
});

describe('listener limits', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode('atina', {
      autoDispatch: false,
      config: { bodyMaxBytes: 16 * 1024, http: { requestTimeoutMs: 1_000, connectionTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000 } },
    });
  });
  afterAll(async () => {
    await node?.stop();
  });

  /** Opens a raw connection, writes `data`, and resolves with everything received once the server closes it. */
  function exchange(data: string): { closed: () => boolean; received: () => string } {
    const { port } = new URL(node.federationUrl);
    const socket: Socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (d) => (received += d));
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    if (data) socket.write(data);
    return { closed: () => closed, received: () => received };
  }

  // The Node default is no idle timeout at all, and keep-alive 72 s in Fastify; each of these would
  // wait far longer than the 15 s waitFor without the configured limits.
  it('closes a connection that sends nothing', async () => {
    const c = exchange('');
    await waitFor(async () => c.closed());
    expect(c.received()).toBe('');
  });

  it('closes a connection that stops half-way through its headers', async () => {
    const c = exchange('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await waitFor(async () => c.closed());
  });

  it('closes an idle keep-alive connection after answering', async () => {
    const c = exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await waitFor(async () => c.closed());
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(c.received()).toMatch(/keep-alive: timeout=1/i);
  });

  it('answers a body over the limit with 413 payload_too_large, as problem+json', async () => {
    const token = await node.token(['referrals:write']);
    const res = await fetch(`${node.url}/v1/referrals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x'.repeat(20 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
  });
});
