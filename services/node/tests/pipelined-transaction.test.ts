import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, pipelinedTransaction, type DatabaseHandle } from '../src/db/client.ts';
import { createTestDatabase } from './support/databases.ts';

/** Counts the writes the connection's socket makes while `fn` runs. */
async function countWrites<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const socket = (client as unknown as { connection: { stream: { _writeGeneric(...args: unknown[]): unknown } } }).connection.stream;
  const original = socket._writeGeneric;
  let writes = 0;
  socket._writeGeneric = function (this: unknown, ...args: unknown[]) {
    writes++;
    return original.apply(this, args);
  };
  try {
    return { result: await fn(), writes };
  } finally {
    socket._writeGeneric = original;
  }
}

describe('a pipelined transaction', () => {
  let handle: DatabaseHandle;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase();
    handle = openDatabase(url, { max: 2 });
    await handle.pool.query('create table pipelined_t (id int primary key, note text not null)');
  });
  afterAll(async () => handle?.close());

  const rows = async () => (await handle.pool.query('select id, note from pipelined_t order by id')).rows;

  it('sends BEGIN with its first queries and COMMIT with its last, one write each, and commits', async () => {
    const { result, writes } = await pipelinedTransaction(handle.db, async (t) => {
      const first = await countWrites(t.client, () =>
        t.send([
          { text: 'insert into pipelined_t values ($1, $2) returning id', values: [1, 'one'] },
          { name: 'pipelined_t_count', text: 'select count(*)::int as n from pipelined_t where id <= $1', values: [10] },
        ]),
      );
      // Inside the transaction, the second statement saw the first one's row.
      expect(first.result[1]).toEqual([{ n: 1 }]);
      const last = await countWrites(t.client, () => t.send([{ text: 'insert into pipelined_t values ($1, $2)', values: [2, 'two'] }], { commit: true }));
      return { writes: first.writes + last.writes, status: t.client.getTransactionStatus() };
    }).then((r) => ({ result: r, writes: r.writes }));
    expect(writes).toBe(2);
    expect(result.status).toBe('I');
    expect(await rows()).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'two' },
    ]);
  });

  it('commits nothing when the statement sent with COMMIT fails, and its connection serves the next transaction', async () => {
    await expect(
      pipelinedTransaction(handle.db, async (t) => {
        await t.send([{ text: 'insert into pipelined_t values ($1, $2)', values: [3, 'three'] }]);
        // A duplicate key: the COMMIT behind it ends the transaction without committing.
        await t.send([{ text: 'insert into pipelined_t values ($1, $2)', values: [1, 'again'] }], { commit: true });
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await rows()).map((r) => r.id)).toEqual([1, 2]);
    // Both pooled connections still work, outside any transaction.
    const clients = await Promise.all([handle.pool.connect(), handle.pool.connect()]);
    try {
      for (const c of clients) expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      for (const c of clients) expect(c.getTransactionStatus()).toBe('I');
    } finally {
      for (const c of clients) c.release();
    }
  });

  it('commits nothing when a value cannot be sent, though the server would never see an error', async () => {
    // pg converts values itself and, when that fails, drops the query without telling the server:
    // a COMMIT written behind it would commit the statement before it.
    const unsendable = { note: 'a BigInt has no JSON', n: 1n };
    await expect(
      pipelinedTransaction(handle.db, async (t) => {
        await t.send([{ text: 'insert into pipelined_t values ($1, $2)', values: [8, 'eight'] }]);
        await t.send([{ text: 'insert into pipelined_t values ($1, $2::jsonb::text)', values: [9, unsendable] }], { commit: true });
      }),
    ).rejects.toThrow(/BigInt/);
    expect((await rows()).map((r) => r.id)).toEqual([1, 2]);
  });

  it('rolls back what ordinary queries on `tx` did when the function throws', async () => {
    await expect(
      pipelinedTransaction(handle.db, async (t) => {
        await t.send([{ text: 'insert into pipelined_t values ($1, $2)', values: [4, 'four'] }]);
        await t.tx.execute('insert into pipelined_t values (5, \'five\')');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await rows()).map((r) => r.id)).toEqual([1, 2]);
  });

  it('discards a connection killed mid-transaction, and the pool goes on with a new one', async () => {
    await expect(
      pipelinedTransaction(handle.db, async (t) => {
        const [rows] = await t.send<{ pid: number }>([{ text: 'select pg_backend_pid() as pid' }]);
        const me = rows?.[0];
        const killer = new pg.Client({ connectionString: url });
        await killer.connect();
        await killer.query('select pg_terminate_backend($1)', [me!.pid]);
        await killer.end();
        await t.send([{ text: 'insert into pipelined_t values ($1, $2)', values: [6, 'six'] }], { commit: true });
      }),
    ).rejects.toThrow();
    const after = await pipelinedTransaction(handle.db, async (t) => {
      const [inserted] = await t.send([{ text: 'insert into pipelined_t values ($1, $2) returning id', values: [7, 'seven'] }], { commit: true });
      return inserted;
    });
    expect(after).toEqual([{ id: 7 }]);
    expect((await rows()).map((r) => r.id)).toEqual([1, 2, 7]);
  });
});
