import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { demoReferral } from '../src/demo/scenario.ts';
import { sql } from 'drizzle-orm';
import { rowsChanged } from '../src/db/row-cache.ts';
import { createReferral } from '../src/referrals/create-referral.ts';
import { usePair, waitFor, type TestNode } from './support/nodes.ts';

/** A statement from outside the node (another replica, the CLI, an operator's psql): only the table's notification tells it. */
async function outside(node: TestNode, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: node.node.ctx.config.databaseUrl });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/**
 * Under the cache's 5 s bound on a row's age: passing within it shows the table's notification
 * reached the node, not that the row merely expired.
 */
const NOTIFIED_WITHIN_MS = 3_000;

describe('peers and clients kept in memory', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, p) => ((atina = a), (pvpt = p)));

  it('serve a known client while its table is locked, and a new one only once it is free', async () => {
    // Both issued first: a client written through this node clears its cache.
    const fresh = await atina.token();
    const known = await atina.token();
    expect((await atina.api('GET', '/v1/referrals', undefined, known)).status).toBe(200);
    const lock = new pg.Client({ connectionString: atina.node.ctx.config.databaseUrl });
    await lock.connect();
    try {
      await lock.query('begin');
      await lock.query('lock table api_clients in access exclusive mode');
      expect((await atina.api('GET', '/v1/referrals', undefined, known)).status).toBe(200);
      let answered = false;
      const waiting = atina.api('GET', '/v1/referrals', undefined, fresh).then((r) => ((answered = true), r));
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      await lock.query('commit');
      expect((await waiting).status).toBe(200);
    } finally {
      await lock.end();
    }
  });

  it('read a peer it does not hold on the caller\'s transaction, never on a second pool connection', async () => {
    const { ctx } = atina.node;
    rowsChanged(ctx.db, 'peers');
    // Nine transactions hold nine of the pool's ten connections; the tenth is the caller's. A
    // peer read on the pool would wait for a connection no one gives back.
    const release: Array<() => void> = [];
    const holders = Array.from({ length: 9 }, () =>
      ctx.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await new Promise<void>((resolve) => release.push(resolve));
      }),
    );
    try {
      await waitFor(async () => release.length === 9);
      const created = await ctx.db.transaction((tx) =>
        Promise.race([
          createReferral(tx, ctx, demoReferral(new Date()), 'test'),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the peer read waited for a second connection')), 5_000)),
        ]),
      );
      expect(created.status).toBe('requested');
    } finally {
      for (const resolve of release) resolve();
      await Promise.all(holders);
    }
  });

  it('forget a client revoked from outside the node', async () => {
    const token = await atina.token();
    expect((await atina.api('GET', '/v1/referrals', undefined, token)).status).toBe(200);
    const sub = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
    await outside(atina, 'update api_clients set revoked_at = now() where id = $1', [sub]);
    await waitFor(async () => (await atina.api('GET', '/v1/referrals', undefined, token)).status === 401, NOTIFIED_WITHIN_MS);
  });

  it('forget a peer suspended from outside the node, on both paths that read it', async () => {
    expect((await atina.api('POST', '/v1/referrals', demoReferral(new Date()))).status).toBe(201);
    await outside(atina, `update peers set status = 'suspended' where node_id = 'pvpt'`);
    await waitFor(async () => {
      const refused = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
      return refused.status === 409 && refused.body.code === 'peer_not_active';
    }, NOTIFIED_WITHIN_MS);
    await outside(atina, `update peers set status = 'active' where node_id = 'pvpt'`);
    await waitFor(async () => (await atina.api('POST', '/v1/referrals', demoReferral(new Date()))).status === 201, NOTIFIED_WITHIN_MS);

    // The receiving side: pvpt's cached peer atina, suspended from outside, refuses atina's messages.
    await outside(pvpt, `update peers set status = 'suspended' where node_id = 'atina'`);
    await waitFor(async () => {
      const [row] = (await outside(pvpt, `select count(*)::int as n from audit_events where type = 'message.refused'`)).rows as Array<{ n: number }>;
      if (row!.n > 0) return true;
      await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
      await atina.node.dispatcher.processAll();
      return false;
    }, NOTIFIED_WITHIN_MS);
    await outside(pvpt, `update peers set status = 'active' where node_id = 'atina'`);
  });
});
