import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompactSign } from 'jose';
import { generateNodeKeys, signReceipt, type MessageClaims, type NodeKeySet, type ReceiptClaims } from '@bridge/crypto';
import { outboxMessages, referrals } from '../src/db/schema/index.ts';
import { fetchPeer, savePeer } from '../src/peers/peers.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { startTestNode, type TestNode } from './support/nodes.ts';
import { startFakePeer, type FakePeer } from './support/fake-peer.ts';

type Tamper = (claims: ReceiptClaims) => ReceiptClaims;

const receiptFor = (claims: MessageClaims, digest: string): ReceiptClaims => ({
  iss: 'pvpt',
  aud: claims.iss,
  iat: Math.floor(Date.now() / 1000),
  jti: crypto.randomUUID(),
  messageId: claims.jti,
  digest: digest as ReceiptClaims['digest'],
  logIndex: 7,
});

describe('the sender checks every receipt', () => {
  let atina: TestNode;
  let pvpt: FakePeer;
  let strangerKeys: NodeKeySet;
  beforeAll(async () => {
    atina = await startTestNode('atina', { autoDispatch: false });
    strangerKeys = await generateNodeKeys(new Date());
    pvpt = await startFakePeer('pvpt', async (claims, digest, keys) => ({ status: 200, body: { receipt: await signReceipt(receiptFor(claims, digest), keys.signing[0]!) } }));
    await savePeer(atina.node.ctx.db, await fetchPeer(pvpt.url), 'active', 'test', new Date());
  });
  afterAll(async () => {
    await atina?.stop();
    await pvpt?.close();
  });

  async function sendWith(respond: FakePeer['respond']) {
    pvpt.respond = respond;
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(created.status).toBe(201);
    await atina.node.dispatcher.processAll();
    const [message] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, created.body.id));
    const [referral] = await atina.node.ctx.db.select().from(referrals).where(eq(referrals.id, created.body.id));
    return { message: message!, referral: referral! };
  }

  const tampered = (tamper: Tamper): FakePeer['respond'] => async (claims, digest, keys) => ({
    status: 200,
    body: { receipt: await signReceipt(tamper(receiptFor(claims, digest)), keys.signing[0]!) },
  });

  it('marks the message delivered only for a receipt that passes every check (control)', async () => {
    const { message, referral } = await sendWith(tampered((c) => c));
    expect(message.status).toBe('delivered');
    expect(message.receiptLogIndex).toBe(7);
    expect(referral.status).toBe('received');
  });

  const cases: Array<[string, FakePeer['respond']]> = [
    ['another issuer', tampered((c) => ({ ...c, iss: 'csr-nis' }))],
    ['another audience', tampered((c) => ({ ...c, aud: 'csr-nis' }))],
    ['another message id', tampered((c) => ({ ...c, messageId: crypto.randomUUID() }))],
    ['the digest of other bytes', tampered((c) => ({ ...c, digest: 'sha-256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }))],
    ['a key the peer does not own', async (claims, digest) => ({ status: 200, body: { receipt: await signReceipt(receiptFor(claims, digest), strangerKeys.signing[0]!) } })],
    [
      "the peer's kid over another key's signature",
      async (claims, digest, keys) => ({
        status: 200,
        body: {
          receipt: await new CompactSign(new TextEncoder().encode(JSON.stringify(receiptFor(claims, digest))))
            .setProtectedHeader({ alg: 'EdDSA', typ: 'bridge-receipt+jwt', kid: keys.signing[0]!.kid })
            .sign(strangerKeys.signing[0]!.privateKey),
        },
      }),
    ],
    [
      'the wrong typ',
      async (claims, digest, keys) => ({
        status: 200,
        body: {
          receipt: await new CompactSign(new TextEncoder().encode(JSON.stringify(receiptFor(claims, digest))))
            .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: keys.signing[0]!.kid })
            .sign(keys.signing[0]!.privateKey),
        },
      }),
    ],
    [
      'a signed payload that is not receipt claims',
      async (_claims, _digest, keys) => ({
        status: 200,
        body: {
          receipt: await new CompactSign(new TextEncoder().encode('null'))
            .setProtectedHeader({ alg: 'EdDSA', typ: 'bridge-receipt+jwt', kid: keys.signing[0]!.kid })
            .sign(keys.signing[0]!.privateKey),
        },
      }),
    ],
    ['no receipt at all', async () => ({ status: 200, body: { ok: true } })],
  ];

  for (const [name, respond] of cases) {
    it(`leaves the message undelivered when the receipt has ${name}`, async () => {
      const { message, referral } = await sendWith(respond);
      expect(message).toMatchObject({ status: 'retrying', lastError: 'receipt_invalid', receipt: null, deliveredAt: null });
      expect(referral.status).toBe('requested');
    });
  }

  it('never follows a redirect: the copy goes to the pinned URL only', async () => {
    const posted: string[] = [];
    // Were the redirect followed, the second POST of the same message would get a valid receipt.
    const { message, referral } = await sendWith(async (claims, digest, keys) => {
      posted.push(claims.jti);
      return posted.filter((id) => id === claims.jti).length === 1
        ? { status: 307, body: {}, headers: { location: `${pvpt.url}/federation/v1/messages` } }
        : { status: 200, body: { receipt: await signReceipt(receiptFor(claims, digest), keys.signing[0]!) } };
    });
    expect(posted.filter((id) => id === message.id)).toHaveLength(1);
    expect(message).toMatchObject({ status: 'retrying', lastError: 'http_307', receipt: null, deliveredAt: null });
    expect(referral.status).toBe('requested');
  });

  it('reads at most 64 KiB of an answer and refuses the rest', async () => {
    const { message } = await sendWith(async (claims, digest, keys) => ({
      status: 200,
      body: { receipt: await signReceipt(receiptFor(claims, digest), keys.signing[0]!), padding: 'x'.repeat(100 * 1024) },
    }));
    expect(message).toMatchObject({ status: 'retrying', lastError: 'network_RESPONSE_TOO_LARGE', receipt: null, deliveredAt: null });
  });

  it('delivers the held message once the peer answers with a valid receipt for a resent copy', async () => {
    const { message } = await sendWith(tampered((c) => ({ ...c, aud: 'csr-nis' })));
    pvpt.respond = tampered((c) => c);
    await new Promise((r) => setTimeout(r, 1200)); // past the retry backoff
    await atina.node.dispatcher.processAll();
    const [after] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.id, message.id));
    expect(after!.status).toBe('delivered');
    expect(after!.attempts).toBeGreaterThanOrEqual(2);
    // Every attempt sealed a fresh copy; the receipt named the last one.
    expect(after!.sentDigests).toHaveLength(after!.attempts);
  });

  it('keeps a message queued while the peer is not active and sends it once it is', async () => {
    const { setPeerStatus } = await import('../src/peers/peers.ts');
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    await setPeerStatus(atina.node.ctx.db, 'pvpt', 'suspended', 'test', new Date());
    const sentBefore = pvpt.received.length;
    await atina.node.dispatcher.processAll();
    const [held] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, created.body.id));
    expect(held).toMatchObject({ status: 'retrying', lastError: 'peer_not_active' });
    expect(pvpt.received.length).toBe(sentBefore);
    expect((await atina.api('POST', '/v1/referrals', demoReferral(new Date()))).body.code).toBe('peer_not_active');
    await setPeerStatus(atina.node.ctx.db, 'pvpt', 'active', 'test', new Date());
    await new Promise((r) => setTimeout(r, 1200));
    await atina.node.dispatcher.processAll();
    const [sent] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.id, held!.id));
    expect(sent!.status).toBe('delivered');
  });
});
