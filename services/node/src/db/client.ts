import { createRequire } from 'node:module';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema/index.ts';

export type Database = NodePgDatabase<typeof schema>;
/** A transaction or the database itself: repository functions take one as their first argument. */
export type Executor = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function openDatabase(connectionString: string, options: { max?: number } = {}): DatabaseHandle {
  // Pipeline mode: a query is written as soon as it is issued, not after the one before it is
  // answered. Code that awaits each query (drizzle, every ordinary path) behaves as before;
  // `pipelinedTransaction` issues several at once to save round trips.
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'bridge-node', pipeline: true });
  // A connection lost while idle in the pool, or while checked out between two queries of a
  // transaction (pg-pool then has no listener on it), must not crash the process: the query in
  // progress fails, the broken client is discarded on release, and the next one reconnects.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}

/**
 * Runs a named statement on the executor's own connection (the pool, or the transaction's client):
 * PostgreSQL parses and plans it once per connection and reuses the plan, which matters on hot,
 * small queries where planning costs as much as executing. `name` must be unique per `text`.
 */
export async function preparedQuery<R>(tx: Executor, name: string, text: string, values: unknown[]): Promise<R[]> {
  const result = await connectionOf(tx).query<R & pg.QueryResultRow>({ name, text, values });
  return result.rows;
}

/** The pool, or the client a transaction holds: where a hand-written query for `tx` must go. */
export function connectionOf(tx: Executor): pg.Pool | pg.PoolClient {
  return (tx as unknown as { _: { session: { client: pg.Pool | pg.PoolClient } } })._.session.client;
}

/** A query for `PipelinedTransaction.send`: prepared when it has a name. */
export interface QueryConfig {
  name?: string;
  text: string;
  values?: unknown[];
}

/** pg's own conversion of a value to its wire text (Date, Buffer, array, JSON, `toPostgres`). */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils') as { prepareValue(value: unknown): unknown };

const boundDatabases = new WeakMap<pg.PoolClient, Database>();

/**
 * A transaction on one connection whose statements can travel together. `send` writes its queries
 * back to back (pg's pipeline mode) and waits once: the first call carries the BEGIN, a call with
 * `commit` carries the COMMIT. On the hot paths a statement's round trip costs more than running
 * it, so a receive goes out as two round trips instead of five. `tx` runs ordinary (drizzle or
 * hand-written) queries on the same connection, inside the transaction once it has begun.
 */
export class PipelinedTransaction {
  private begun = false;
  private ended = false;

  constructor(
    readonly client: pg.PoolClient,
    readonly tx: Database,
  ) {}

  /** Sends the queries in one write, after a BEGIN if none was sent yet and before a COMMIT if asked; their rows in order. */
  async send<R extends pg.QueryResultRow = Record<string, unknown>>(queries: QueryConfig[], options: { commit?: boolean } = {}): Promise<R[][]> {
    if (this.ended) throw new Error('the transaction has ended');
    // pg turns values into their wire text itself, and when that fails (a value JSON cannot hold)
    // it drops the query without telling the server: a COMMIT behind it would commit the rest.
    // So the values become text here, before anything is written; every failure then is the
    // server's, which aborts the transaction and turns the COMMIT into a ROLLBACK.
    const ready = queries.map((q) => {
      if (!q || typeof q.text !== 'string') throw new TypeError('a pipelined query needs its text');
      return q.values ? { ...q, values: q.values.map((v) => prepareValue(v)) } : q;
    });
    const stream = (this.client as unknown as { connection: { stream: { cork?(): void; uncork?(): void } } }).connection.stream;
    const sent: Array<Promise<pg.QueryResult>> = [];
    const first = this.begun ? 0 : 1;
    // Marked before anything is written: from here on, a failure rolls back.
    this.begun = true;
    if (options.commit) this.ended = true;
    // Corked, the messages of every query leave in one write.
    stream.cork?.();
    try {
      if (first === 1) sent.push(this.client.query('begin'));
      for (const q of ready) sent.push(this.client.query(q));
      if (options.commit) sent.push(this.client.query('commit'));
    } catch (err) {
      for (const p of sent) p.catch(() => {});
      throw err;
    } finally {
      stream.uncork?.();
    }
    // Every promise is awaited (allSettled), so none rejects unobserved; the first failure is thrown.
    const results = await Promise.allSettled(sent);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const values = results.map((r) => (r as PromiseFulfilledResult<pg.QueryResult>).value);
    // COMMIT of a transaction that failed answers ROLLBACK without an error.
    if (options.commit && values.at(-1)!.command !== 'COMMIT') throw new Error(`commit answered ${values.at(-1)!.command}`);
    return values.slice(first, first + queries.length).map((r) => r.rows as R[]);
  }

  /** Commits what `tx` and `send` did, unless a `send` already did; nothing to do if nothing began. */
  async commit(): Promise<void> {
    if (this.begun && !this.ended) await this.send([], { commit: true });
    this.ended = true;
  }

  /** After a failure: rolls back if a transaction may be open; false when the connection is unusable. */
  async rollback(): Promise<boolean> {
    if (!this.begun) return true;
    this.ended = true;
    return this.client.query('rollback').then(
      () => true,
      () => false,
    );
  }
}

/** Runs `fn` in a `PipelinedTransaction` on a connection of `db`'s pool: committed if it returns, rolled back if it throws. */
export async function pipelinedTransaction<T>(db: Database, fn: (t: PipelinedTransaction) => Promise<T>): Promise<T> {
  const client = await (connectionOf(db) as pg.Pool).connect();
  let bound = boundDatabases.get(client);
  if (!bound) {
    bound = drizzle(client, { schema }) as unknown as Database;
    boundDatabases.set(client, bound);
  }
  const t = new PipelinedTransaction(client, bound);
  let usable = true;
  try {
    const result = await fn(t);
    await t.commit();
    return result;
  } catch (err) {
    usable = await t.rollback();
    throw err;
  } finally {
    client.release(usable ? undefined : new Error('connection unusable after a failed transaction'));
  }
}
