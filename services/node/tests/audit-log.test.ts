import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { decodeHash, entryLeafHash, verifyCheckpoint, verifyConsistency, verifyInclusion, type PublicJwk } from '@bridge/crypto';
import { demoReferral } from '../src/demo/scenario.ts';
import { outboxMessages } from '../src/db/schema/index.ts';
import { verifyExport } from '../src/audit/verify.ts';
import { main } from '../src/cli/main.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { exportOf } from './support/audit.ts';

async function runCli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: process.cwd() });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the audit log is a verifiable Merkle log', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let referralId: string;
  let atinaAudit: string;
  let pvptAudit: string;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('delivers a referral and audits the reads of it with ids only', async () => {
    [atinaAudit, pvptAudit] = await Promise.all([atina.token(['audit:read', 'admin']), pvpt.token(['audit:read', 'admin'])]);
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(created.status).toBe(201);
    referralId = created.body.id;
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${referralId}`)).body.status === 'received');
    expect((await pvpt.api('GET', '/v1/referrals?direction=inbound')).status).toBe(200);
    const reads = await pvpt.api('GET', `/admin/v1/audit/events?type=referral.read&referralId=${referralId}`, undefined, pvptAudit);
    expect(reads.status).toBe(200);
    expect(reads.body.items).toHaveLength(1);
    expect(reads.body.items[0]).toMatchObject({ type: 'referral.read', referralId, peerNodeId: 'atina', detail: { operation: 'listReferrals' } });
  });

  it('searches by referral, message, peer, type, actor and time with cursor paging', async () => {
    const all = await atina.api('GET', `/admin/v1/audit/events?referralId=${referralId}`, undefined, atinaAudit);
    const types = all.body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['referral.created', 'message.queued', 'message.delivered', 'referral.status', 'referral.read']));
    const delivered = all.body.items.find((e: { type: string }) => e.type === 'message.delivered');
    const byMessage = await atina.api('GET', `/admin/v1/audit/events?messageId=${delivered.messageId}&peer=pvpt&actor=system&type=message.delivered`, undefined, atinaAudit);
    expect(byMessage.body.items.map((e: { idx: number }) => e.idx)).toEqual([delivered.idx]);
    const future = await atina.api('GET', `/admin/v1/audit/events?from=${new Date(Date.now() + 3600_000).toISOString()}`, undefined, atinaAudit);
    expect(future.body.items).toEqual([]);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ idx: number }>; nextCursor: string | null } } = await atina.api('GET', `/admin/v1/audit/events?referralId=${referralId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, atinaAudit);
      seen.push(...page.body.items.map((e) => e.idx));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((e: { idx: number }) => e.idx));
    expect((await atina.api('GET', '/admin/v1/audit/events?cursor=bm9wZQ', undefined, atinaAudit)).status).toBe(400);
    // The audit surface needs audit:read; an integration token is refused.
    expect((await atina.api('GET', '/admin/v1/audit/events')).status).toBe(403);
    // Every search is itself in the log (the one refused for its cursor too): who searched, and by
    // which filters, by name only. Newest first, this search included.
    const searches = await atina.api('GET', '/admin/v1/audit/events?type=audit.searched&limit=500', undefined, atinaAudit);
    const filters = searches.body.items.map((e: { detail: { filters: string } }) => e.detail.filters).reverse();
    expect(filters.slice(0, 3)).toEqual(['referralId', 'actor,messageId,peer,type', 'from']);
    expect(filters.slice(-2)).toEqual(['', 'type']);
    const auditClient = JSON.parse(Buffer.from(atinaAudit.split('.')[1]!, 'base64url').toString()).sub as string;
    expect(new Set(searches.body.items.map((e: { actor: string }) => e.actor))).toEqual(new Set([auditClient]));
    expect(JSON.stringify(searches.body.items)).not.toContain(referralId);
  });

  it("proves a receipt's logIndex into the receiver's signed checkpoint", async () => {
    const [sent] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, referralId));
    const proof = await pvpt.api('GET', `/admin/v1/audit/events/${sent!.receiptLogIndex}/proof`, undefined, pvptAudit);
    expect(proof.status).toBe(200);
    expect(proof.body.event).toMatchObject({ idx: sent!.receiptLogIndex, type: 'message.received', messageId: sent!.id });
    const jwks = (await (await fetch(`${pvpt.federationUrl}/.well-known/jwks.json`)).json()) as { keys: PublicJwk[] };
    const cp = await verifyCheckpoint(proof.body.checkpoint.checkpoint, 'pvpt', jwks.keys);
    // The leaf is the canonical JSON of the event with its leaf index.
    const ok = verifyInclusion(entryLeafHash(proof.body.event), proof.body.leafIndex, cp.treeSize, proof.body.proof.map(decodeHash), decodeHash(cp.rootHash)!);
    expect(ok).toBe(true);
    expect((await pvpt.api('GET', '/admin/v1/audit/events/999999/proof', undefined, pvptAudit)).status).toBe(404);
  });

  it('proves consistency between two checkpoints', async () => {
    const first = (await atina.api('POST', '/admin/v1/audit/witness', undefined, atinaAudit)).body.checkpoint;
    await atina.api('GET', `/v1/referrals/${referralId}`);
    const second = (await atina.api('POST', '/admin/v1/audit/witness', undefined, atinaAudit)).body.checkpoint;
    expect(second.treeSize).toBeGreaterThan(first.treeSize);
    const res = await atina.api('GET', `/admin/v1/audit/consistency?fromSize=${first.treeSize}&toSize=${second.treeSize}`, undefined, atinaAudit);
    expect(res.status).toBe(200);
    expect(verifyConsistency(first.treeSize, second.treeSize, decodeHash(first.rootHash)!, decodeHash(second.rootHash)!, res.body.proof.map(decodeHash))).toBe(true);
    expect((await atina.api('GET', `/admin/v1/audit/consistency?fromSize=${first.treeSize}&toSize=999999`, undefined, atinaAudit)).status).toBe(404);
  });

  it('exports NDJSON and CSV with checkpoint, co-signatures and proofs that verify offline', async () => {
    // pvpt witnesses atina's log: its co-signature is handed back and exported by atina.
    const witnessed = await pvpt.api('POST', '/admin/v1/audit/witness', undefined, pvptAudit);
    expect(witnessed.body.peers).toEqual([{ peer: 'atina', outcome: 'cosigned', treeSize: expect.any(Number) }]);
    const ndjson = await exportOf(atina, atinaAudit);
    expect(ndjson.contentType).toContain('application/x-ndjson');
    const result = await verifyExport(ndjson.records);
    expect(result).toMatchObject({ ok: true, failure: null });
    expect(result.entries).toBe(result.treeSize);
    expect(result.cosignatures).toBeGreaterThan(0);
    const csv = await exportOf(atina, atinaAudit, '?format=csv');
    expect(csv.contentType).toContain('text/csv');
    expect((await verifyExport(csv.records)).ok).toBe(true);
    const filtered = await exportOf(atina, atinaAudit, `?referralId=${referralId}`);
    const f = await verifyExport(filtered.records);
    expect(f.ok).toBe(true);
    expect(f.entries).toBeLessThan(f.treeSize);

    const dir = await mkdtemp(join(tmpdir(), 'bridge-audit-'));
    try {
      await writeFile(join(dir, 'log.ndjson'), ndjson.text);
      await writeFile(join(dir, 'log.csv'), csv.text);
      const jwks = await (await fetch(`${atina.federationUrl}/.well-known/jwks.json`)).text();
      await writeFile(join(dir, 'jwks.json'), jwks);
      for (const file of ['log.ndjson', 'log.csv']) {
        const run = await runCli(['audit', 'verify', join(dir, file), '--jwks', join(dir, 'jwks.json')]);
        expect(run.err).toBe('');
        expect(run.code).toBe(0);
        expect(run.out).toMatch(/^OK: \d+ entries verified/m);
      }
      // A JWKS that is not the node's: the checkpoint no longer verifies.
      await writeFile(join(dir, 'other.json'), await (await fetch(`${pvpt.federationUrl}/.well-known/jwks.json`)).text());
      const wrong = await runCli(['audit', 'verify', join(dir, 'log.ndjson'), '--jwks', join(dir, 'other.json')]);
      expect(wrong.code).toBe(1);
      expect(wrong.err).toContain('the checkpoint does not verify');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('verifies the whole log on demand and records that it did', async () => {
    const res = await atina.api('POST', '/admin/v1/audit/verify', undefined, atinaAudit);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, failure: null });
    const events = await atina.api('GET', '/admin/v1/audit/events?type=audit.verified', undefined, atinaAudit);
    expect(events.body.items[0]).toMatchObject({ type: 'audit.verified', detail: { ok: true } });
  });
});
