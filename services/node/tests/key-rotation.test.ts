import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKey, verifyReceipt, type NodeKeySet, type PublicJwk } from '@bridge/crypto';
import { Jwks } from '@bridge/contract';
import { outboxMessages } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { main } from '../src/cli/main.ts';
import { initDataDir, loadDataDir } from '../src/data-dir.ts';
import { createTestDatabase } from './support/databases.ts';
import { TEST_KEYS_ENV, TEST_KEYS_SECRET } from './support/keys-secret.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner } from './support/forge.ts';
import { requestBody } from './support/state.ts';

/** Moves a node's clock past the JWKS refresh rate limit without leaving the acceptance window. */
function movableClock() {
  let offset = 0;
  return { clock: { now: () => new Date(Date.now() + offset) }, advance: (ms: number) => (offset += ms) };
}

async function rotate(node: TestNode, purpose: keyof NodeKeySet, overlapMs: number) {
  const keys = node.node.ctx.config.keys;
  node.node.reloadKeys({ ...keys, [purpose]: await rotateKey(keys[purpose], purpose, new Date(), { activateAfterMs: 0, overlapMs }) });
  return node.node.ctx.config.keys[purpose];
}

async function referAndWait(from: TestNode, to: string) {
  const created = await from.api('POST', '/v1/referrals', { ...demoReferral(new Date()), recipient: to, consent: { ...demoReferral(new Date()).consent, recipient: to } });
  expect(created.status).toBe(201);
  return waitFor(async () => {
    const r = await from.api('GET', `/v1/referrals/${created.body.id}`);
    return r.body.status === 'received' && r.body;
  });
}

describe('key rotation', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  const pvptClock = movableClock();
  const atinaClock = movableClock();
  usePair((a, b) => ([atina, pvpt] = [a, b]), { atina: { clock: atinaClock.clock }, pvpt: { clock: pvptClock.clock } });

  it('publishes signing, encryption and log keys with their validity, never private members or the token key', async () => {
    const jwks = Jwks.parse(await (await fetch(`${atina.federationUrl}/.well-known/jwks.json`)).json());
    expect(jwks.keys.map((k) => k.purpose).sort()).toEqual(['encryption', 'log', 'signing']);
    for (const key of jwks.keys) {
      expect(key).not.toHaveProperty('d');
      expect(key.validFrom).toEqual(expect.any(String));
    }
    const tokenKid = atina.node.ctx.config.keys.token[0]!.kid;
    expect(JSON.stringify(jwks)).not.toContain(tokenKid);
  });

  it('accepts messages under either signing key during the overlap, and learns the new key from the pinned JWKS', async () => {
    const [oldKey, newKey] = await rotate(atina, 'signing', 3600_000);
    expect(oldKey!.validUntil).not.toBeNull();
    // The dispatcher now signs with the new key; pvpt does not know it yet and refreshes once.
    await referAndWait(atina, 'pvpt');
    // A message still signed with the old key is accepted during the overlap.
    const res = await postMessage(pvpt, await encrypt(await signInner(requestClaims(atina, pvpt, requestBody('pvpt')), oldKey!), encryptionKeyOf(pvpt)));
    expect(res.status).toBe(200);
    expect(newKey!.kid).not.toBe(oldKey!.kid);
  });

  it('refuses the old key for new messages after retirement', async () => {
    pvptClock.advance(61_000);
    const [, previous] = await rotate(atina, 'signing', 0);
    await referAndWait(atina, 'pvpt'); // new kid: pvpt refreshes and learns that `previous` retired
    // iat has whole seconds: sign after the retirement instant.
    const iat = Math.ceil(Date.parse(previous!.validUntil!) / 1000) + 1;
    const res = await postMessage(pvpt, await encrypt(await signInner(requestClaims(atina, pvpt, requestBody('pvpt'), { iat, exp: iat + 300 }), previous!), encryptionKeyOf(pvpt)));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('message_key_unknown');
  });

  it('still verifies old receipts with a retired key, from the published JWKS alone', async () => {
    const [delivered] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.status, 'delivered')).limit(1);
    const signedBy = JSON.parse(Buffer.from(delivered!.receipt!.split('.')[0]!, 'base64url').toString()).kid as string;
    atinaClock.advance(61_000);
    await rotate(pvpt, 'signing', 0);
    const published = Jwks.parse(await (await fetch(`${pvpt.federationUrl}/.well-known/jwks.json`)).json()).keys as PublicJwk[];
    const retired = published.find((k) => k.kid === signedBy)!;
    expect(Date.parse(retired.validUntil!)).toBeLessThanOrEqual(Date.now());
    const claims = await verifyReceipt(delivered!.receipt!, { iss: 'pvpt', aud: 'atina', messageId: delivered!.id, digests: delivered!.sentDigests, issuerKeys: published });
    expect(claims.messageId).toBe(delivered!.id);
    // And receipts signed with pvpt's new key verify at atina after it refreshes.
    await referAndWait(atina, 'pvpt');
  });

  it('heals an encryption key rotation: sealed to the retired key, refused, refreshed, resent', async () => {
    atinaClock.advance(61_000);
    const [retired] = await rotate(pvpt, 'encryption', 0);
    const referral = await referAndWait(atina, 'pvpt');
    const [message] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, referral.id));
    expect(message!.attempts).toBe(2);
    expect(retired!.validUntil).not.toBeNull();
  });
});

describe('bridge keys rotate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridge-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds a key per purpose ahead of use, schedules retirement, and audits it', async () => {
    await initDataDir(dir, { nodeId: 'atina', name: 'Atina', jurisdiction: 'RS', publicUrl: 'http://127.0.0.1:9' }, new Date(), TEST_KEYS_SECRET);
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), env: { ...TEST_KEYS_ENV, DATABASE_URL: await createTestDatabase() }, cwd: dir };
    expect(await main(['keys', 'rotate', '--data-dir', dir, '--activate-in', '2h', '--overlap', '1d'], io)).toBe(0);
    const { secrets } = await loadDataDir(dir, TEST_KEYS_SECRET);
    for (const purpose of ['signing', 'encryption', 'log', 'token'] as const) {
      const [old, next] = secrets.keys[purpose];
      expect(Date.parse(next!.validFrom) - Date.now()).toBeGreaterThan(7_100_000);
      expect(Date.parse(old!.validUntil!) - Date.parse(next!.validFrom)).toBe(86_400_000);
    }
    expect(await main(['keys', 'rotate', '--data-dir', dir, '--overlap', 'forever'], io)).toBe(2);
    expect(out.join('\n')).toContain('--overlap must be a number followed by s, m, h or d');
  });
});
