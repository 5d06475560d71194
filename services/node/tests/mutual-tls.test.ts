import { describe, expect, it } from 'vitest';
import https from 'node:https';
import tls from 'node:tls';
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { certificateSha256, currentKey, generateTlsCredential, signWitnessRequest, type TlsCredential } from '@bridge/crypto';
import { demoReferral } from '../src/demo/scenario.ts';
import { inboundMessages, peers, referrals } from '../src/db/schema/index.ts';
import { peerAgents, postOutbound } from '../src/http/outbound.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { requestBody } from './support/state.ts';

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** A request over real TLS to a node's federation listener, presenting `client` (or no certificate). */
function call(node: TestNode, method: string, path: string, client?: Pick<TlsCredential, 'certificate' | 'privateKey'>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.request(`${node.federationUrl}${path}`, {
      method,
      agent: false,
      // The test is the client of a self-signed server; what it checks is the server's side.
      rejectUnauthorized: false,
      ...(client ? { cert: client.certificate, key: client.privateKey } : {}),
      headers: body === undefined ? {} : { 'content-type': 'application/jose' },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: response.headers }));
    });
    request.end(body);
  });
}

describe('federation over mutually authenticated TLS', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]), { atina: { tls: true }, pvpt: { tls: true } });
  const credential = (node: TestNode) => node.node.ctx.config.tls![0]!;

  it('pins the certificate at onboarding: the metadata lists it, and each side stores the other one', async () => {
    expect(atina.federationUrl).toMatch(/^https:/);
    const metadata = await call(pvpt, 'GET', '/.well-known/bridge.json');
    expect(metadata.status).toBe(200);
    expect(metadata.body.tlsCertificates).toEqual([certificateSha256(credential(pvpt).certificate)]);
    const [pinned] = await atina.node.ctx.db.select().from(peers).where(eq(peers.nodeId, 'pvpt'));
    expect(pinned!.tlsCertificates).toEqual([certificateSha256(credential(pvpt).certificate)]);
  });

  it('two nodes exchange a referral over TLS', async () => {
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(created.status).toBe(201);
    const received = await waitFor(async () => {
      const r = await atina.api('GET', `/v1/referrals/${created.body.id}`);
      return r.body.status === 'received' && r.body;
    });
    expect(received.history.map((h: { by: string }) => h.by)).toEqual(['atina', 'pvpt']);
  });

  it('refuses a peer path without a client certificate, and with a stranger\'s', async () => {
    const none = await call(pvpt, 'POST', '/federation/v1/messages', undefined, 'x.y.z.w.v');
    expect([none.status, none.body.code]).toEqual([401, 'unauthorized']);
    const stranger = await generateTlsCredential('mallory', ['127.0.0.1'], new Date(Date.now() - 60_000));
    const foreign = await call(pvpt, 'POST', '/federation/v1/messages', stranger, 'x.y.z.w.v');
    expect([foreign.status, foreign.body.code]).toEqual([403, 'peer_unknown']);
    // atina's own certificate passes the transport check: the (malformed) message is what is refused.
    const known = await call(pvpt, 'POST', '/federation/v1/messages', credential(atina), 'x.y.z.w.v');
    expect(['unauthorized', 'peer_unknown', 'peer_not_active']).not.toContain(known.body.code);
    expect(known.status).toBe(400);
  });

  it('serves metadata, keys and liveness without a client certificate (onboarding, monitors)', async () => {
    for (const path of ['/.well-known/bridge.json', '/.well-known/jwks.json', '/healthz']) expect((await call(pvpt, 'GET', path)).status).toBe(200);
  });

  it('refuses a retired certificate: once a peer pins only its new one, the old one is a stranger\'s', async () => {
    const next = await generateTlsCredential('atina', ['127.0.0.1'], new Date());
    const db = pvpt.node.ctx.db;
    await db.update(peers).set({ tlsCertificates: [certificateSha256(next.certificate)] }).where(eq(peers.nodeId, 'atina'));
    try {
      const retired = await call(pvpt, 'POST', '/federation/v1/messages', credential(atina), 'x.y.z.w.v');
      expect([retired.status, retired.body.code]).toEqual([403, 'peer_unknown']);
      // The new certificate passes the transport check; the malformed message is what is refused.
      const current = await call(pvpt, 'POST', '/federation/v1/messages', next, 'x.y.z.w.v');
      expect(['unauthorized', 'peer_unknown', 'peer_not_active']).not.toContain(current.body.code);
      expect(current.status).toBe(400);
    } finally {
      await db.update(peers).set({ tlsCertificates: [certificateSha256(credential(atina).certificate)] }).where(eq(peers.nodeId, 'atina'));
    }
  });

  it('refuses a suspended peer\'s certificate', async () => {
    const db = pvpt.node.ctx.db;
    await db.update(peers).set({ status: 'suspended' }).where(eq(peers.nodeId, 'atina'));
    try {
      const suspended = await call(pvpt, 'POST', '/federation/v1/messages', credential(atina), 'x.y.z.w.v');
      expect([suspended.status, suspended.body.code]).toEqual([403, 'peer_not_active']);
    } finally {
      await db.update(peers).set({ status: 'active' }).where(eq(peers.nodeId, 'atina'));
    }
  });

  /**
   * A third peer, carol, pinned and active at pvpt, presents a message atina signed (one it
   * captured, or signed with atina's stolen key) over its own certificate: the transport check
   * passes (carol is a peer), the signature verifies (atina did sign it), and only tying the two
   * refuses it.
   */
  async function withCarol(run: (carol: TlsCredential) => Promise<void>): Promise<void> {
    const carol = await generateTlsCredential('carol', ['127.0.0.1'], new Date(Date.now() - 60_000));
    const db = pvpt.node.ctx.db;
    const [atinaRow] = await db.select().from(peers).where(eq(peers.nodeId, 'atina'));
    await db.insert(peers).values({ ...atinaRow!, nodeId: 'carol', name: 'Carol', tlsCertificates: [certificateSha256(carol.certificate)] });
    try {
      await run(carol);
    } finally {
      await db.delete(peers).where(eq(peers.nodeId, 'carol'));
    }
  }

  it('refuses a message signed by another peer than the one whose certificate carried it, and stores nothing', async () => {
    await withCarol(async (carol) => {
      const db = pvpt.node.ctx.db;
      const claims = requestClaims(atina, pvpt, requestBody('pvpt'));
      const sealed = await encrypt(await signInner(claims, signingKeyOf(atina)), encryptionKeyOf(pvpt));
      const presented = await call(pvpt, 'POST', '/federation/v1/messages', carol, sealed);
      expect([presented.status, presented.body.code]).toEqual([403, 'message_issuer_mismatch']);
      expect(await db.select().from(inboundMessages).where(eq(inboundMessages.id, claims.jti))).toEqual([]);
      expect(await db.select().from(referrals).where(eq(referrals.id, claims.referralId))).toEqual([]);
      // The same message over its signer's own certificate is a good one.
      const own = await call(pvpt, 'POST', '/federation/v1/messages', credential(atina), sealed);
      expect(own.status).toBe(200);
      expect(await db.select().from(inboundMessages).where(eq(inboundMessages.id, claims.jti))).toHaveLength(1);
    });
  });

  it('refuses a witness request signed by another peer than the one whose certificate carried it', async () => {
    await withCarol(async (carol) => {
      const now = new Date();
      const request = await signWitnessRequest(
        { iss: 'atina', aud: 'pvpt', iat: Math.floor(now.getTime() / 1000), jti: randomUUID(), fromSize: 0 },
        currentKey(atina.node.ctx.config.keys.log, now),
      );
      const presented = await call(pvpt, 'POST', '/federation/v1/audit/checkpoint', carol, request);
      expect([presented.status, presented.body.code]).toEqual([403, 'message_issuer_mismatch']);
      // Refused before its id was spent: atina itself can still use it.
      const own = await call(pvpt, 'POST', '/federation/v1/audit/checkpoint', credential(atina), request);
      expect(own.status).toBe(200);
    });
  });

  it('as a client, talks only to a server presenting the pinned certificate', async () => {
    const url = `${pvpt.federationUrl}/federation/v1/audit/cosignatures`;
    const options = { timeoutMs: 5_000, maxResponseBytes: 4096, agents: peerAgents(atina.node.ctx.config) };
    const pinned = await postOutbound(url, 'x.y.z', { 'content-type': 'application/jose' }, { ...options, pins: [certificateSha256(credential(pvpt).certificate)] });
    expect(pinned.certificate).toBe(certificateSha256(credential(pvpt).certificate));
    const other = certificateSha256((await generateTlsCredential('pvpt', ['127.0.0.1'], new Date())).certificate);
    await expect(postOutbound(url, 'x.y.z', { 'content-type': 'application/jose' }, { ...options, pins: [other] })).rejects.toMatchObject({ code: 'CERT_NOT_PINNED' });
    await expect(postOutbound(url, 'x.y.z', { 'content-type': 'application/jose' }, { ...options, pins: [] })).rejects.toMatchObject({ code: 'CERT_NOT_PINNED' });
  });

  it('sends HSTS on the TLS listener, and sensible headers on both listeners', async () => {
    const federation = await call(pvpt, 'GET', '/healthz');
    expect(federation.headers).toMatchObject({ 'strict-transport-security': 'max-age=31536000', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    const refused = await call(pvpt, 'POST', '/federation/v1/messages', undefined, 'x.y.z.w.v');
    expect(refused.headers).toMatchObject({ 'strict-transport-security': 'max-age=31536000', 'x-content-type-options': 'nosniff' });
    const priv = await fetch(`${pvpt.url}/readyz`);
    expect(priv.headers.get('x-content-type-options')).toBe('nosniff');
    expect(priv.headers.get('referrer-policy')).toBe('no-referrer');
    expect(priv.headers.get('x-frame-options')).toBe('DENY');
    // Plain http there: HSTS would be ignored by browsers and means nothing.
    expect(priv.headers.get('strict-transport-security')).toBeNull();
    // The console keeps its own Content-Security-Policy.
    const console = await fetch(`${pvpt.url}/console/`);
    expect(console.headers.get('content-security-policy')).not.toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('speaks TLS 1.2 at least and prefers 1.3', async () => {
    const { port } = new URL(pvpt.federationUrl);
    const handshake = (options: tls.ConnectionOptions) =>
      new Promise<string | null>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false, ...options }, () => {
          resolve(socket.getProtocol());
          socket.end();
        });
        socket.on('error', reject);
      });
    expect(await handshake({})).toBe('TLSv1.3');
    expect(await handshake({ maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
    await expect(handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });
});
