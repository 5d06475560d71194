import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { syncLog } from '../src/audit/sequencer.ts';
import { verifyExport } from '../src/audit/verify.ts';
import { startTestNode, type TestNode } from './support/nodes.ts';
import { asOwnerWithoutTriggers, exportOf } from './support/audit.ts';

/**
 * Each test builds a log of 20 events, checkpoints it, then changes the tables directly in SQL the
 * way an operator with database access could, and checks that verification fails and names the
 * first bad entry.
 */
describe('tampering with the audit tables is detected and located', () => {
  let node: TestNode;
  let token: string;
  afterEach(() => node.stop());

  async function seeded(): Promise<void> {
    node = await startTestNode('atina', { autoDispatch: false });
    token = await node.token(['audit:read']);
    for (let i = 0; i < 19; i++) await node.token();
    const cp = await syncLog(node.node.ctx);
    expect(cp.treeSize).toBe(20);
  }
  // As an owner who switches the append-only triggers off first (see the last test).
  const run = (query: ReturnType<typeof sql>) => asOwnerWithoutTriggers(node.node.ctx.db, query);
  const eventAt = (leaf: number) => sql`(select event_idx from audit_leaves where leaf_index = ${leaf})`;

  async function verdict() {
    const { records } = await exportOf(node, token);
    const offline = await verifyExport(records);
    const online = (await node.api('POST', '/admin/v1/audit/verify', undefined, token)).body;
    expect(online.failure).toEqual(offline.failure);
    return offline;
  }

  it('verifies when nothing was changed', async () => {
    await seeded();
    const result = await verdict();
    expect(result).toMatchObject({ ok: true, failure: null });
    // The export itself is an audited admin action: it is in the log it exports.
    expect(result.entries).toBe(result.treeSize);
    expect(result.treeSize).toBeGreaterThan(20);
  });

  it('editing any column of an event names that entry', async () => {
    await seeded();
    await run(sql`update audit_events set actor = 'someone-else' where idx = ${eventAt(7)}`);
    expect((await verdict()).failure).toMatchObject({ leafIndex: 7, reason: "the event's content or position does not match its leaf hash" });
  });

  it('editing an event and recomputing its stored leaf hash still fails at that entry', async () => {
    await seeded();
    await run(sql`update audit_events set at = at + interval '1 microsecond' where idx = ${eventAt(4)}`);
    // The forger also rewrites the stored leaf hash to match the new content.
    const { records } = await exportOf(node, token);
    const { entryLeafHash, encodeHash } = await import('@bridge/crypto');
    const forged = records.find((r) => r.record === 'entry' && r.leafIndex === 4);
    if (forged?.record !== 'entry' || !forged.event) throw new Error('no entry 4');
    await run(sql`update audit_leaves set leaf_hash = ${encodeHash(entryLeafHash({ ...forged.event, leafIndex: 4 }))} where leaf_index = 4`);
    expect((await verdict()).failure).toMatchObject({ leafIndex: 4, reason: expect.stringContaining('does not prove into the checkpoint') });
  });

  it('deleting an event names the leaf whose event is gone', async () => {
    await seeded();
    await run(sql`delete from audit_events where idx = ${eventAt(11)}`);
    expect((await verdict()).failure).toMatchObject({ leafIndex: 11, reason: 'the event of leaf 11 is missing' });
  });

  it('deleting an event and its leaf names the missing leaf', async () => {
    await seeded();
    await run(sql`with gone as (delete from audit_leaves where leaf_index = 11 returning event_idx) delete from audit_events where idx in (select event_idx from gone)`);
    expect((await verdict()).failure).toMatchObject({ leafIndex: 11, reason: 'leaf 11 is missing' });
  });

  it('reordering leaves names the first moved one', async () => {
    await seeded();
    await run(sql`update audit_leaves set leaf_index = -1 where leaf_index = 5`);
    await run(sql`update audit_leaves set leaf_index = 5 where leaf_index = 9`);
    await run(sql`update audit_leaves set leaf_index = 9 where leaf_index = -1`);
    expect((await verdict()).failure).toMatchObject({ leafIndex: 5, reason: "the event's content or position does not match its leaf hash" });
  });

  it('inserting a forged event in the middle names it', async () => {
    await seeded();
    await run(sql`update audit_leaves set leaf_index = leaf_index + 1000 where leaf_index >= 3`);
    await run(sql`update audit_leaves set leaf_index = leaf_index - 999 where leaf_index >= 1003`);
    const [row] = (await node.node.ctx.db.execute(sql`insert into audit_events (idx, at, type, actor) overriding system value values (100000, now(), 'client.created', 'forger') returning idx`)).rows;
    await run(sql`delete from audit_pending where event_idx = 100000`);
    await run(sql`insert into audit_leaves (leaf_index, event_idx, leaf_hash) values (3, ${row!.idx}, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')`);
    expect((await verdict()).failure).toMatchObject({ leafIndex: 3, eventId: 100000 });
  });

  it('truncating the log names the first missing leaf', async () => {
    await seeded();
    await run(sql`with gone as (delete from audit_leaves where leaf_index >= 15 returning event_idx) delete from audit_events where idx in (select event_idx from gone)`);
    const result = await verdict();
    expect(result.failure).toMatchObject({ leafIndex: 15, reason: expect.stringMatching(/^leaf 15 is missing/) });
    expect(result.entries).toBeLessThanOrEqual(15);
  });

  it('a changed checkpoint fails its signature', async () => {
    await seeded();
    const { records } = await exportOf(node, token);
    const head = records[0]!;
    if (head.record !== 'checkpoint') throw new Error('no checkpoint');
    const [h, p, sig] = head.checkpoint.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, treeSize: claims.treeSize - 1 })).toString('base64url');
    const result = await verifyExport([{ ...head, checkpoint: `${h}.${forged}.${sig}` }, ...records.slice(1)]);
    expect(result.failure).toMatchObject({ leafIndex: null, reason: expect.stringMatching(/^the checkpoint does not verify: .*signature does not verify$/) });
  });

  it('refuses in the database every UPDATE, DELETE and TRUNCATE of the audit tables, on the node\'s own connection', async () => {
    await seeded();
    const before = await verdict();
    const client = new pg.Client({ connectionString: node.node.ctx.config.databaseUrl });
    await client.connect();
    try {
      const columns = { audit_events: 'actor', audit_leaves: 'leaf_hash', audit_tree_nodes: 'hash', audit_checkpoints: 'root_hash', audit_cosignatures: 'cosignature' };
      let refused = 0;
      for (const [table, column] of Object.entries(columns)) {
        for (const statement of [`update ${table} set ${column} = ${column}`, `delete from ${table}`, `truncate ${table}`]) {
          await expect(client.query(statement), statement).rejects.toMatchObject({ code: '23001', message: expect.stringContaining('append-only') });
          refused++;
        }
      }
      expect(refused).toBe(15);
    } finally {
      await client.end();
    }
    // Nothing changed, and appending still works (the verification appends its own event).
    const after = await verdict();
    expect(after).toMatchObject({ ok: true, failure: null });
    expect(after.entries).toBeGreaterThan(before.entries);
  });
});

describe('an audit event that cannot be written fails the change it records (fail closed)', () => {
  let node: TestNode;
  afterEach(() => node.stop());

  async function failAppendsOf(type: string): Promise<void> {
    const { db } = node.node.ctx;
    await db.execute(sql.raw(`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end; $$`));
    await db.execute(sql.raw(`create trigger refuse_audit before insert on audit_events for each row when (new.type = '${type}') execute function refuse_audit()`));
  }

  it('creates no referral and queues no message when referral.created cannot be appended', async () => {
    node = await startTestNode('atina', { autoDispatch: false });
    const { demoReferral } = await import('../src/demo/scenario.ts');
    const { fetchPeer, savePeer } = await import('../src/peers/peers.ts');
    const peer = await startTestNode('pvpt', { autoDispatch: false });
    try {
      await savePeer(node.node.ctx.db, await fetchPeer(peer.federationUrl), 'active', 'test', new Date());
      await failAppendsOf('referral.created');
      const res = await node.api('POST', '/v1/referrals', demoReferral(new Date()));
      expect(res.status).toBe(500);
      const counts = (await node.node.ctx.db.execute(sql`select (select count(*) from referrals)::int as r, (select count(*) from outbox_messages)::int as o`)).rows[0];
      expect(counts).toEqual({ r: 0, o: 0 });
    } finally {
      await peer.stop();
    }
  });

  it('creates no client when client.created cannot be appended', async () => {
    node = await startTestNode('atina', { autoDispatch: false });
    const before = await node.node.ctx.db.execute(sql`select count(*)::int as n from api_clients`);
    await failAppendsOf('client.created');
    await expect(node.token()).rejects.toThrow();
    expect((await node.node.ctx.db.execute(sql`select count(*)::int as n from api_clients`)).rows).toEqual(before.rows);
  });

  it('returns no personal data when the read cannot be audited', async () => {
    node = await startTestNode('atina', { autoDispatch: false });
    await node.api('GET', '/v1/referrals');
    await failAppendsOf('referral.read');
    const { demoReferral } = await import('../src/demo/scenario.ts');
    const { fetchPeer, savePeer } = await import('../src/peers/peers.ts');
    const peer = await startTestNode('pvpt', { autoDispatch: false });
    try {
      await savePeer(node.node.ctx.db, await fetchPeer(peer.federationUrl), 'active', 'test', new Date());
      const created = await node.api('POST', '/v1/referrals', demoReferral(new Date()));
      expect(created.status).toBe(201);
      const read = await node.api('GET', `/v1/referrals/${created.body.id}`);
      expect(read.status).toBe(500);
      expect(JSON.stringify(read.body)).not.toContain('Dritë');
      const list = await node.api('GET', '/v1/referrals');
      expect(list.status).toBe(500);
    } finally {
      await peer.stop();
    }
  });
});
