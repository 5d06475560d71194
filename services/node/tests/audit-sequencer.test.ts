import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { decodeHash, encodeHash, inclusionProof, rootHash, verifyInclusion } from '@bridge/crypto';
import { appendAudit } from '../src/audit/append.ts';
import { syncLog } from '../src/audit/sequencer.ts';
import { eventInclusion } from '../src/audit/admin.ts';
import { auditLeafHash } from '../src/audit/entry.ts';
import { verifyExport } from '../src/audit/verify.ts';
import { openDatabase, type DatabaseHandle } from '../src/db/client.ts';
import { startTestNode, type TestNode } from './support/nodes.ts';
import { asOwnerWithoutTriggers, exportOf } from './support/audit.ts';

describe('the sequencer', () => {
  let node: TestNode;
  let replica: DatabaseHandle;
  beforeAll(async () => {
    node = await startTestNode('atina', { autoDispatch: false });
    // A second replica of the node: its own connection pool on the same database.
    replica = openDatabase(node.node.ctx.config.databaseUrl, { max: 4 });
  });
  afterAll(async () => {
    await replica.close();
    await node.stop();
  });

  it('gives committed events contiguous leaves, once each, with replicas sequencing concurrently and rolled-back appends', async () => {
    const { ctx } = node.node;
    const replicaCtx = { ...ctx, db: replica.db };
    let stop = false;
    const sequencers = [ctx, replicaCtx, ctx, replicaCtx].map(async (c) => {
      while (!stop) await syncLog(c);
    });
    const rolledBack: number[] = [];
    await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const db = i % 2 === 0 ? ctx.db : replica.db;
        if (i % 5 === 0) {
          await db
            .transaction(async (tx) => {
              rolledBack.push(await appendAudit(tx, { type: 'client.created', actor: 'rolled-back', at: new Date() }));
              throw new Error('roll back');
            })
            .catch(() => {});
        } else {
          await db.transaction((tx) => appendAudit(tx, { type: 'client.created', actor: `writer-${i}`, at: new Date() }));
        }
      }),
    );
    stop = true;
    await Promise.all(sequencers);
    const cp = await syncLog(ctx);
    const [stats] = (
      await ctx.db.execute(sql`select count(*)::int as leaves, count(distinct event_idx)::int as events, min(leaf_index)::int as first, max(leaf_index)::int as last,
        (select count(*)::int from audit_events) as stored, (select count(*)::int from audit_pending) as pending from audit_leaves`)
    ).rows as Array<Record<string, number>>;
    expect(stats).toEqual({ leaves: cp.treeSize, events: cp.treeSize, first: 0, last: cp.treeSize - 1, stored: cp.treeSize, pending: 0 });
    expect(rolledBack).toHaveLength(24);
    const leaked = await ctx.db.execute(sql`select count(*)::int as n from audit_leaves where event_idx = any(${sql.raw(`'{${rolledBack.join(',')}}'::bigint[]`)})`);
    expect(leaked.rows[0]).toEqual({ n: 0 });
    const { records } = await exportOf(node, await node.token(['audit:read']));
    expect(await verifyExport(records)).toMatchObject({ ok: true });
  });

  it('serves, in one query, the inclusion proof of every event in every earlier tree size', async () => {
    // The query reads a superset of the subtrees a proof can need (siblings and the right edge);
    // each proof is compared with the one computed from all leaf hashes in memory, for every leaf
    // of every tree size up to 70, while the stored tree is larger (nodes past the size exist).
    const { ctx } = node.node;
    for (let i = 0; i < 70; i++) await ctx.db.transaction((tx) => appendAudit(tx, { type: 'client.created', actor: `proof-${i}`, at: new Date() }));
    const cp = await syncLog(ctx);
    const rows = (await ctx.db.execute(sql`select event_idx::int as "eventIdx", leaf_hash as "leafHash" from audit_leaves order by leaf_index`)).rows as Array<{ eventIdx: number; leafHash: string }>;
    const leaves = rows.map((r) => decodeHash(r.leafHash)!);
    let checked = 0;
    for (let size = 1; size <= Math.min(cp.treeSize, 70); size++) {
      const root = rootHash(leaves.slice(0, size));
      for (let leaf = 0; leaf < size; leaf++) {
        const found = await eventInclusion(ctx.db, size, rows[leaf]!.eventIdx);
        expect(found?.leafIndex).toBe(leaf);
        expect(encodeHash(auditLeafHash(found!.event, leaf))).toBe(rows[leaf]!.leafHash);
        expect(found!.proof).toEqual(inclusionProof(leaves.slice(0, size), leaf).map(encodeHash));
        expect(verifyInclusion(leaves[leaf]!, leaf, size, found!.proof.map((h) => decodeHash(h)!), root)).toBe(true);
        checked++;
      }
      // An event beyond the tree size has no proof in that tree.
      if (size < rows.length) expect(await eventInclusion(ctx.db, size, rows[size]!.eventIdx)).toBeNull();
    }
    expect(checked).toBe(70 * 71 / 2);
    expect(await eventInclusion(ctx.db, cp.treeSize, 2 ** 40)).toBeNull();
  });

  it('sequences everything committed before syncLog, in batches, past a pending event whose row was deleted by hand', async () => {
    const { ctx } = node.node;
    await syncLog(ctx);
    // More than one batch (2000) of events, committed at once; then one of the first batch's rows goes.
    const inserted = await ctx.db.execute(sql`insert into audit_events (at, type, actor) select now(), 'client.created', 'batch-' || g from generate_series(1, 2100) g returning idx::int as idx`);
    const ids = (inserted.rows as Array<{ idx: number }>).map((r) => r.idx).sort((a, b) => a - b);
    await asOwnerWithoutTriggers(ctx.db, sql`delete from audit_events where idx = ${ids[10]!}`);
    const cp = await syncLog(ctx);
    const [counts] = (
      await ctx.db.execute(sql`select (select count(*)::int from audit_pending) as pending,
        (select count(*)::int from audit_leaves where event_idx = any(${sql.raw(`'{${ids.join(',')}}'::bigint[]`)})) as sequenced`)
    ).rows as Array<{ pending: number; sequenced: number }>;
    // The first batch added 1999 leaves: stopping there (fewer leaves than a batch) would have left 101 behind.
    expect(counts).toEqual({ pending: 1, sequenced: 2099 });
    expect(cp.treeSize).toBeGreaterThanOrEqual(2099);
    // A batch of nothing but such events ends the loop instead of reading them forever.
    await asOwnerWithoutTriggers(ctx.db, sql`delete from audit_events where idx in (select event_idx from audit_pending)`);
    await ctx.db.execute(sql`insert into audit_pending (event_idx) select g from generate_series(${2 ** 40}::bigint, ${2 ** 40 + 2100}::bigint) g`);
    await syncLog(ctx);
    const [left] = (await ctx.db.execute(sql`select count(*)::int as n from audit_pending`)).rows as Array<{ n: number }>;
    expect(left).toEqual({ n: 2102 });
  });
});
