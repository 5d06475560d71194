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
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'bridge-node' });
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
