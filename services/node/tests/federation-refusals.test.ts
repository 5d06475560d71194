import { createServer, type Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { auditEvents } from '../src/db/schema/index.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateNodeKeys, publicJwks, type MessageClaims } from '@bridge/crypto';
import { savePeer, setPeerStatus } from '../src/peers/peers.ts';
import { startPair, startTestNode, type TestNode } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, flipBit, hmacWith, postMessage, requestClaims, signInner, signInnerRaw, signingKeyOf, withOuterHeader } from './support/forge.ts';
import { latestAudit, requestBody, snapshot, type Snapshot } from './support/state.ts';

describe('the receiver refuses every forgery before storing anything', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let before: Snapshot;
  let keyServer: Server;
  let keyServerHits = 0;
  let keyServerUrl = '';

  beforeAll(async () => {
    [atina, pvpt] = await startPair();
    keyServer = createServer((_req, res) => {
      keyServerHits++;
      res.end(JSON.stringify(publicJwks(atina.node.ctx.config.keys)));
    });
    await new Promise<void>((r) => keyServer.listen(0, '127.0.0.1', r));
    keyServerUrl = `http://127.0.0.1:${(keyServer.address() as { port: number }).port}/jwks.json`;
  });
  afterAll(async () => {
    keyServer?.close();
    await Promise.all([atina?.stop(), pvpt?.stop()]);
  });
  beforeEach(async () => {
    before = await snapshot(pvpt);
  });

  const claims = (over: Partial<MessageClaims> = {}) => requestClaims(atina, pvpt, requestBody('pvpt'), over);
  const sealed = async (over: Partial<MessageClaims> = {}, header: Record<string, unknown> = {}) =>
    encrypt(await signInner(claims(over), signingKeyOf(atina), header), encryptionKeyOf(pvpt));

  /** Refused with `code`, one audit event saying so, and no other row anywhere. */
  async function expectRefused(body: string, status: number, code: string, contentType?: string, otherEvents = 0) {
    const res = await postMessage(pvpt, body, contentType);
    expect(res.body).toMatchObject({ code, status });
    expect(res.status).toBe(status);
    const after = await snapshot(pvpt);
    expect(after).toEqual({ ...before, audit: before.audit + 1 + otherEvents });
    const event = await latestAudit(pvpt);
    expect(event).toMatchObject({ type: 'message.refused', detail: expect.objectContaining({ code }) });
    return event;
  }

  it('accepts the unmodified message (the control for every case below)', async () => {
    const res = await postMessage(pvpt, await sealed());
    expect(res.status).toBe(200);
    expect(res.body.receipt).toEqual(expect.any(String));
  });

  it('refuses a body over the size limit before decrypting it', async () => {
    const limit = pvpt.node.ctx.config.messageMaxBytes;
    await expectRefused('a'.repeat(limit + 1), 413, 'payload_too_large');
  });

  it('refuses another media type', async () => {
    await expectRefused(await sealed(), 415, 'unsupported_media_type', 'application/json');
  });

  it('refuses zip in the JWE header', async () => {
    await expectRefused(withOuterHeader(await sealed(), { zip: 'DEF' }), 400, 'message_header_forbidden');
  });

  it('refuses jku, x5u and x5c headers, outer or inner, and never fetches them', async () => {
    for (const header of [{ jku: keyServerUrl }, { x5u: keyServerUrl }, { x5c: ['MIIB'] }]) {
      await expectRefused(withOuterHeader(await sealed(), header), 400, 'message_header_forbidden');
      before = await snapshot(pvpt);
      await expectRefused(await sealed({}, header), 400, 'message_header_forbidden');
      before = await snapshot(pvpt);
    }
    expect(keyServerHits).toBe(0);
  });

  it('refuses an inner JWS with alg none', async () => {
    const inner = signInnerRaw(claims(), { alg: 'none', typ: 'bridge-msg+jwt', kid: signingKeyOf(atina).kid }, () => '');
    await expectRefused(await encrypt(inner, encryptionKeyOf(pvpt)), 400, 'message_algorithm_forbidden');
  });

  it('refuses HS256 keyed with the sender\'s public key', async () => {
    const key = signingKeyOf(atina);
    for (const secret of [Buffer.from(key.jwk.x!, 'base64url'), key.jwk.x!, JSON.stringify(publicJwks(atina.node.ctx.config.keys).keys[0])]) {
      const inner = signInnerRaw(claims(), { alg: 'HS256', typ: 'bridge-msg+jwt', kid: key.kid }, hmacWith(secret));
      await expectRefused(await encrypt(inner, encryptionKeyOf(pvpt)), 400, 'message_algorithm_forbidden');
      before = await snapshot(pvpt);
    }
  });

  it('refuses any alg or enc outside the allow-list, before decrypting', async () => {
    for (const header of [{ alg: 'ECDH-ES' }, { alg: 'ECDH-ES+A128KW' }, { alg: 'RSA-OAEP-256' }, { alg: 'dir' }, { enc: 'A128GCM' }, { enc: 'A256CBC-HS512' }]) {
      await expectRefused(withOuterHeader(await sealed(), header), 400, 'message_algorithm_forbidden');
      before = await snapshot(pvpt);
    }
    // Really encrypted with ECDH-ES (direct key agreement): refused all the same.
    await expectRefused(await encrypt(await signInner(claims(), signingKeyOf(atina)), encryptionKeyOf(pvpt), { alg: 'ECDH-ES' }), 400, 'message_algorithm_forbidden');
  });

  it('refuses an unknown kid after exactly one refresh of the peer\'s JWKS from the pinned URL', async () => {
    const stranger = (await generateNodeKeys(new Date())).signing[0]!;
    const refreshes = () => pvpt.node.ctx.db.$count(auditEvents, eq(auditEvents.type, 'peer.keys_refreshed'));
    const atinaJwksFetches = () => atina.logs.filter((l) => l.includes('/.well-known/jwks.json') && l.includes('incoming request')).length;
    const [fetchesBefore, refreshesBefore] = [atinaJwksFetches(), await refreshes()];
    await expectRefused(await encrypt(await signInner(claims(), stranger), encryptionKeyOf(pvpt)), 401, 'message_key_unknown', undefined, 1);
    expect(await refreshes()).toBe(refreshesBefore + 1);
    expect(atinaJwksFetches()).toBe(fetchesBefore + 1);
    // Rate-limited: another unknown kid right after does not fetch again.
    before = await snapshot(pvpt);
    await expectRefused(await encrypt(await signInner(claims(), stranger), encryptionKeyOf(pvpt)), 401, 'message_key_unknown');
    expect(atinaJwksFetches()).toBe(fetchesBefore + 1);
  });

  it('refuses a bad signature', async () => {
    const inner = await signInner(claims(), signingKeyOf(atina));
    const [h, p] = inner.split('.');
    const other = (await signInner(claims(), signingKeyOf(atina))).split('.')[2];
    await expectRefused(await encrypt(`${h}.${p}.${other}`, encryptionKeyOf(pvpt)), 401, 'message_signature_invalid');
  });

  it('refuses a changed byte in any part of the JWE', async () => {
    const message = await sealed();
    for (let part = 0; part < 5; part++) {
      const res = await postMessage(pvpt, flipBit(message, part, 3, 2));
      expect(res.status, `part ${part}`).toBeGreaterThanOrEqual(400);
      expect(['message_malformed', 'message_decrypt_failed', 'message_header_forbidden', 'message_algorithm_forbidden']).toContain(res.body.code);
    }
    expect(await snapshot(pvpt)).toEqual({ ...before, audit: before.audit + 5 });
  });

  it('refuses a changed byte in any part of the inner JWS', async () => {
    const inner = await signInner(claims(), signingKeyOf(atina));
    for (let part = 0; part < 3; part++) {
      const res = await postMessage(pvpt, await encrypt(flipBit(inner, part, 5, 1), encryptionKeyOf(pvpt)));
      expect(res.status, `part ${part}`).toBeGreaterThanOrEqual(400);
      expect(['message_malformed', 'message_signature_invalid', 'message_key_unknown', 'message_algorithm_forbidden']).toContain(res.body.code);
    }
    expect(await snapshot(pvpt)).toEqual({ ...before, audit: before.audit + 3 });
  });

  it('refuses an aud that is not this node, including a message signed for another node and re-encrypted here', async () => {
    await expectRefused(await sealed({ aud: 'csr-beograd' }), 403, 'message_audience_mismatch');
    before = await snapshot(pvpt);
    // What atina sent to pvpt, decrypted by a malicious pvpt and re-encrypted to a third node, is
    // refused there: here pvpt plays the third node for a message signed for csr-beograd.
    const forCsr = await signInner(requestClaims(atina, { id: 'csr-beograd' } as TestNode, requestBody('csr-beograd')), signingKeyOf(atina));
    await expectRefused(await encrypt(forCsr, encryptionKeyOf(pvpt)), 403, 'message_audience_mismatch');
  });

  it('refuses an iss that does not own the signing key', async () => {
    // pvpt also knows a third node; atina signs with its own key but claims to be that node.
    const csrKeys = await generateNodeKeys(new Date());
    const jwks = publicJwks(csrKeys);
    const { nodeFingerprint } = await import('@bridge/crypto');
    const metadata = { nodeId: 'csr-beograd', name: 'CSR', jurisdiction: 'RS', contractVersions: ['1'], urls: { api: 'http://127.0.0.1:9', messages: 'http://127.0.0.1:9/m', jwks: 'http://127.0.0.1:9/j' } };
    await savePeer(pvpt.node.ctx.db, { metadata, jwks, jwksUrl: metadata.urls.jwks, fingerprint: await nodeFingerprint(metadata, jwks) }, 'active', 'test', new Date());
    before = await snapshot(pvpt);
    await expectRefused(await sealed({ iss: 'csr-beograd' }), 403, 'message_issuer_mismatch');
  });

  it('refuses an iat outside the acceptance window', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await sealed({ iat: now - 301, exp: now + 600 }), 400, 'message_stale');
    before = await snapshot(pvpt);
    // 30 s of margin: sealing and sending on a loaded machine must not bring a future iat back inside the window.
    await expectRefused(await sealed({ iat: now + 330, exp: now + 900 }), 400, 'message_stale');
  });

  it('refuses a message from a peer that is not active', async () => {
    for (const status of ['suspended', 'revoked', 'pending'] as const) {
      await setPeerStatus(pvpt.node.ctx.db, 'atina', status, 'test', new Date());
      before = await snapshot(pvpt);
      await expectRefused(await sealed(), 403, 'peer_not_active');
    }
    await setPeerStatus(pvpt.node.ctx.db, 'atina', 'active', 'test', new Date());
  });

  it('refuses a message from a node it never onboarded', async () => {
    const stranger = await startTestNode('stranger');
    try {
      const message = await encrypt(await signInner(requestClaims(stranger, pvpt, requestBody('pvpt')), signingKeyOf(stranger)), encryptionKeyOf(pvpt));
      await expectRefused(message, 403, 'peer_unknown');
    } finally {
      await stranger.stop();
    }
  });

  it('answers a replay with the original receipt and delivers it once; the same jti with other content is refused and alerted', async () => {
    const original = claims();
    const first = await postMessage(pvpt, await encrypt(await signInner(original, signingKeyOf(atina)), encryptionKeyOf(pvpt)));
    expect(first.status).toBe(200);
    const afterFirst = await snapshot(pvpt);
    // The same message sealed again (new encryption, same claims) and the very same bytes.
    const again = await postMessage(pvpt, await encrypt(await signInner(original, signingKeyOf(atina)), encryptionKeyOf(pvpt)));
    expect(again).toEqual(first);
    const after = await snapshot(pvpt);
    expect({ ...after, audit: 0 }).toEqual({ ...afterFirst, audit: 0 });
    expect((await latestAudit(pvpt)).type).toBe('message.replayed');

    before = after;
    const changed = { ...original, body: { ...original.body, note: 'changed' } };
    const event = await expectRefused(await encrypt(await signInner(changed, signingKeyOf(atina)), encryptionKeyOf(pvpt)), 409, 'message_replay_conflict');
    expect(event.detail).toMatchObject({ alert: true });
    expect(event).toMatchObject({ peerNodeId: 'atina', messageId: original.jti });
  });

  it('refuses a message out of order', async () => {
    await expectRefused(await sealed({ seq: 2, prev: 'sha-256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 409, 'message_out_of_order');
  });

  it('refuses a referral that discloses more than profiles and consent allow, or whose consent does not fit', async () => {
    const body = requestBody('pvpt') as { person: Record<string, unknown>; consent: { dataCategories: string[]; validUntil: string; services: string[] } };
    const overDisclosed = { ...body, consent: { ...body.consent, dataCategories: ['IDENTITY'] } };
    await expectRefused(await sealed({ body: overDisclosed }), 422, 'disclosure_not_allowed');
    before = await snapshot(pvpt);
    await expectRefused(await sealed({ body: { ...body, person: { ...body.person, documentNumber: 'P0012345' } } }), 422, 'disclosure_not_allowed');
    before = await snapshot(pvpt);
    await expectRefused(await sealed({ body: { ...body, consent: { ...body.consent, validUntil: '2020-01-01T00:00:00Z' } } }), 422, 'message_body_invalid');
    before = await snapshot(pvpt);
    await expectRefused(await sealed({ body: { ...body, consent: { ...body.consent, services: ['SAFE_ACCOMMODATION'] } } }), 422, 'message_body_invalid');
  });

  it('refuses a body that fails its schema', async () => {
    await expectRefused(await sealed({ body: { services: ['SAFE_ACCOMMODATION'] } }), 422, 'message_body_invalid');
  });
});
