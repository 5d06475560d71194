import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { generateKey, publicJwks, signCosignature, signWitnessRequest, type PublicJwk } from '@bridge/crypto';
import { auditCosignatures, witnessRequests } from '../src/db/schema/index.ts';
import { verifyExport } from '../src/audit/verify.ts';
import { syncLog } from '../src/audit/sequencer.ts';
import { type TestNode, usePair } from './support/nodes.ts';
import { asOwnerWithoutTriggers, exportOf } from './support/audit.ts';
import { scrape, valueOf } from './support/metrics.ts';

const post = (node: TestNode, path: string, body: string) =>
  fetch(`${node.federationUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => undefined) }));

describe('nodes cross-witness each other\'s audit checkpoints', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let atinaAdmin: string;
  let pvptAdmin: string;
  usePair((a, b) => ([atina, pvpt] = [a, b]), { atina: { autoDispatch: false }, pvpt: { autoDispatch: false } });

  it('co-signs after a consistency proof, on both sides, round after round', async () => {
    [atinaAdmin, pvptAdmin] = await Promise.all([atina.token(['admin', 'audit:read']), pvpt.token(['admin', 'audit:read'])]);
    for (let round = 0; round < 3; round++) {
      await atina.token();
      const a = await atina.api('POST', '/admin/v1/audit/witness', undefined, atinaAdmin);
      expect(a.body.peers).toEqual([{ peer: 'pvpt', outcome: 'cosigned', treeSize: expect.any(Number) }]);
      const b = await pvpt.api('POST', '/admin/v1/audit/witness', undefined, pvptAdmin);
      expect(b.body.peers).toEqual([{ peer: 'atina', outcome: 'cosigned', treeSize: expect.any(Number) }]);
    }
    // pvpt's co-signatures of atina's log are stored at pvpt (as witness) and at atina (as origin).
    const where = and(eq(auditCosignatures.origin, 'atina'), eq(auditCosignatures.witness, 'pvpt'));
    const atPvpt = await pvpt.node.ctx.db.select().from(auditCosignatures).where(where);
    const atAtina = await atina.node.ctx.db.select().from(auditCosignatures).where(where);
    expect(atPvpt.length).toBe(3);
    expect(atAtina.map((r) => r.cosignature).sort()).toEqual(atPvpt.map((r) => r.cosignature).sort());
    const exported = await exportOf(atina, atinaAdmin);
    expect(await verifyExport(exported.records)).toMatchObject({ ok: true, cosignatures: 3 });
  });

  it('refuses witness requests and co-signatures not signed by a pinned log key', async () => {
    const stranger = await generateKey('log', new Date(Date.now() - 60_000));
    const now = Math.floor(Date.now() / 1000);
    // Signed by a key pvpt never published, claiming to be pvpt.
    const request = await signWitnessRequest({ iss: 'pvpt', aud: 'atina', iat: now, jti: crypto.randomUUID(), fromSize: 0 }, stranger);
    expect(await post(atina, '/federation/v1/audit/checkpoint', request)).toMatchObject({ status: 401, body: { code: 'checkpoint_invalid' } });
    // From a node atina does not know.
    const unknown = await signWitnessRequest({ iss: 'shelter', aud: 'atina', iat: now, jti: crypto.randomUUID(), fromSize: 0 }, stranger);
    expect(await post(atina, '/federation/v1/audit/checkpoint', unknown)).toMatchObject({ status: 403, body: { code: 'peer_unknown' } });
    // A request addressed to another node.
    const pvptLogKey = pvpt.node.ctx.config.keys.log[0]!;
    const misaddressed = await signWitnessRequest({ iss: 'pvpt', aud: 'shelter', iat: now, jti: crypto.randomUUID(), fromSize: 0 }, pvptLogKey);
    expect(await post(atina, '/federation/v1/audit/checkpoint', misaddressed)).toMatchObject({ status: 401, body: { code: 'checkpoint_invalid' } });
    // A message signing key is not a log key.
    const signingKey = { ...pvpt.node.ctx.config.keys.signing[0]!, purpose: 'log' as const };
    const wrongPurpose = await signWitnessRequest({ iss: 'pvpt', aud: 'atina', iat: now, jti: crypto.randomUUID(), fromSize: 0 }, signingKey);
    expect(await post(atina, '/federation/v1/audit/checkpoint', wrongPurpose)).toMatchObject({ status: 401 });
    // A co-signature of a checkpoint atina never signed.
    const bogus = await signCosignature({ iss: 'pvpt', sub: 'atina', iat: now, treeSize: 999_999, rootHash: 'A'.repeat(43) }, pvptLogKey);
    expect(await post(atina, '/federation/v1/audit/cosignatures', bogus)).toMatchObject({ status: 409, body: { code: 'audit_inconsistent' } });
    const forgedCo = await signCosignature({ iss: 'pvpt', sub: 'atina', iat: now, treeSize: 1, rootHash: 'A'.repeat(43) }, stranger);
    expect(await post(atina, '/federation/v1/audit/cosignatures', forgedCo)).toMatchObject({ status: 401 });
    expect(publicJwks(pvpt.node.ctx.config.keys).keys.some((k: PublicJwk) => k.kid === stranger.kid)).toBe(false);
  });

  it('answers a witness request once: the same jti again is refused until it has expired', async () => {
    const pvptLogKey = pvpt.node.ctx.config.keys.log[0]!;
    const now = Math.floor(Date.now() / 1000);
    const jti = crypto.randomUUID();
    const request = await signWitnessRequest({ iss: 'pvpt', aud: 'atina', iat: now, jti, fromSize: 0 }, pvptLogKey);
    expect(await post(atina, '/federation/v1/audit/checkpoint', request)).toMatchObject({ status: 200, body: { checkpoint: expect.any(String) } });
    // Captured and played again, as it is or signed anew with the same id.
    expect(await post(atina, '/federation/v1/audit/checkpoint', request)).toMatchObject({ status: 401, body: { code: 'checkpoint_invalid', detail: expect.stringContaining('already used') } });
    const again = await signWitnessRequest({ iss: 'pvpt', aud: 'atina', iat: now + 1, jti, fromSize: 0 }, pvptLogKey);
    expect(await post(atina, '/federation/v1/audit/checkpoint', again)).toMatchObject({ status: 401, body: { code: 'checkpoint_invalid' } });
    // A fresh id is answered; a jti PostgreSQL could not store as text is refused, not a 500.
    const fresh = await signWitnessRequest({ iss: 'pvpt', aud: 'atina', iat: now, jti: crypto.randomUUID(), fromSize: 0 }, pvptLogKey);
    expect(await post(atina, '/federation/v1/audit/checkpoint', fresh)).toMatchObject({ status: 200 });
    const nul = await signWitnessRequest({ iss: 'pvpt', aud: 'atina', iat: now, jti: 'a\u0000b', fromSize: 0 }, pvptLogKey);
    expect(await post(atina, '/federation/v1/audit/checkpoint', nul)).toMatchObject({ status: 401, body: { code: 'checkpoint_invalid' } });
    // Kept only while the request could still pass its age check.
    const kept = await atina.node.ctx.db.select().from(witnessRequests).where(eq(witnessRequests.jti, jti));
    expect(kept).toEqual([{ issuer: 'pvpt', jti, expiresAt: expect.any(Date) }]);
    expect(kept[0]!.expiresAt.getTime()).toBeLessThanOrEqual((now + atina.node.ctx.config.acceptanceWindowSeconds + 1) * 1000);
  });

  it('catches a node whose log was rolled back, by the checkpoint its peer co-signed', async () => {
    const [lastCo] = await pvpt.node.ctx.db
      .select()
      .from(auditCosignatures)
      .where(and(eq(auditCosignatures.origin, 'atina'), eq(auditCosignatures.witness, 'pvpt')))
      .orderBy(sql`tree_size desc`)
      .limit(1);
    const keep = 3;
    expect(lastCo!.treeSize).toBeGreaterThan(keep);
    // atina's operator rolls the log back to its first 3 leaves, everything signed since included.
    // (As the database's owner, who can switch the audit tables' append-only triggers off.)
    await asOwnerWithoutTriggers(
      atina.node.ctx.db,
      sql`delete from audit_events where idx in (select event_idx from audit_leaves where leaf_index >= ${keep}) or idx in (select event_idx from audit_pending)`,
      sql`delete from audit_pending`,
      sql`delete from audit_leaves where leaf_index >= ${keep}`,
      sql`delete from audit_tree_nodes where (index + 1) * (2 ^ level)::bigint > ${keep}`,
      sql`delete from audit_checkpoints where tree_size > ${keep}`,
      sql`delete from audit_cosignatures`,
    );
    // ... and writes a different history, longer than the one pvpt co-signed.
    for (let i = 0; i < lastCo!.treeSize + 2; i++) await atina.token();
    const rewritten = await syncLog(atina.node.ctx);
    expect(rewritten.treeSize).toBeGreaterThan(lastCo!.treeSize);
    // On its own, atina's rewritten log verifies ...
    const exported = await exportOf(atina, atinaAdmin);
    expect((await verifyExport(exported.records)).ok).toBe(true);
    // ... but pvpt will not co-sign it, and records an alert.
    const round = await pvpt.api('POST', '/admin/v1/audit/witness', undefined, pvptAdmin);
    expect(round.body.peers).toEqual([{ peer: 'atina', outcome: 'inconsistent', treeSize: expect.any(Number) }]);
    expect(valueOf((await scrape(pvpt)).samples, 'bridge_witness_failures_total', { peer: 'atina', code: 'audit_inconsistent' })).toBeGreaterThanOrEqual(1);
    const alerts = await pvpt.api('GET', '/admin/v1/audit/events?type=audit.witness_failed', undefined, pvptAdmin);
    expect(alerts.body.items[0]).toMatchObject({ peerNodeId: 'atina', detail: { code: 'audit_inconsistent', alert: true, fromSize: lastCo!.treeSize } });
    // Offline, pvpt's co-signature (with pvpt's log keys) shows atina's export is not the history it saw.
    const pvptLogKeys = publicJwks(pvpt.node.ctx.config.keys).keys.filter((k) => k.purpose === 'log');
    const evidence = { record: 'cosignature' as const, witness: 'pvpt', cosignature: lastCo!.cosignature, treeSize: lastCo!.treeSize, rootHash: lastCo!.rootHash, keys: pvptLogKeys, consistency: [] };
    const checked = await verifyExport(exported.records, { cosignatures: [evidence] });
    expect(checked.ok).toBe(false);
    expect(checked.failure?.reason).toContain('is not consistent with the one pvpt co-signed');
  });

  it('catches a rollback to a log shorter than what the peer co-signed', async () => {
    await asOwnerWithoutTriggers(
      atina.node.ctx.db,
      sql`delete from audit_events where idx in (select event_idx from audit_leaves where leaf_index >= 1)`,
      sql`delete from audit_pending`,
      sql`delete from audit_leaves where leaf_index >= 1`,
      sql`delete from audit_tree_nodes`,
      sql`delete from audit_checkpoints where tree_size > 1`,
    );
    const round = await pvpt.api('POST', '/admin/v1/audit/witness', undefined, pvptAdmin);
    expect(round.body.peers).toEqual([{ peer: 'atina', outcome: 'inconsistent', treeSize: null }]);
  });
});
