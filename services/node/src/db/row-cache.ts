import type { Database } from './client.ts';

/** Tables whose rows nodes keep in memory; a trigger on each NOTIFYs `cache:<table>` on every change (migration 0011). */
export type CachedTable = 'peers' | 'api_clients';

/** The longest a row is kept, even if a change's notification were lost on a connection not yet known dead. */
const MAX_AGE_MS = 5_000;

/**
 * Rows read on every message or request (the sending peer, the calling client), kept in memory
 * only while `active()`: while this node LISTENs for the NOTIFY that a trigger sends, on commit,
 * for every change to the table, by any replica, the CLI or by hand. Each such notification clears
 * the cache, as do (re)connecting and losing the connection, and writes made through this process
 * clear it at once (`rowsChanged`); no row is kept longer than MAX_AGE_MS in any case. Absent rows
 * are never kept, so a peer added a moment ago is found. Rows are frozen: every caller shares them.
 */
export class RowCache<T extends object> {
  private readonly rows = new Map<string, { row: Promise<T | undefined>; until: number; value?: T }>();

  constructor(
    readonly table: CachedTable,
    private readonly active: () => boolean,
  ) {}

  get(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    if (!this.active()) return load();
    const now = performance.now();
    const cached = this.rows.get(key);
    if (cached && cached.until > now) return cached.row;
    const entry: { row: Promise<T | undefined>; until: number; value?: T } = { row: load(), until: now + MAX_AGE_MS };
    entry.row = entry.row.then(
      (row) => {
        if (row === undefined) {
          this.forget(key, entry);
          return undefined;
        }
        entry.value = Object.freeze(row);
        return entry.value;
      },
      (err: unknown) => {
        this.forget(key, entry);
        throw err;
      },
    );
    this.rows.set(key, entry);
    return entry.row;
  }

  /**
   * The row if it is held and already read, without waiting for a read in flight: for a caller
   * inside a transaction, whose own connection must not wait on a read that needs another one.
   */
  held(key: string): T | undefined {
    const cached = this.active() ? this.rows.get(key) : undefined;
    return cached && cached.until > performance.now() ? cached.value : undefined;
  }

  clear(): void {
    this.rows.clear();
  }

  private forget(key: string, entry: { row: Promise<T | undefined> }): void {
    if (this.rows.get(key) === entry) this.rows.delete(key);
  }
}

/** The caches of the nodes of this process, by the database handle their writes go through. */
const registry = new WeakMap<Database, Array<RowCache<object>>>();

export function registerRowCaches(db: Database, caches: Array<RowCache<object>>): void {
  registry.set(db, [...(registry.get(db) ?? []), ...caches]);
}

/**
 * Called after a committed write to `table` through `db`: this process's caches forget at once,
 * not only when the notification arrives (other replicas learn from the notification).
 */
export function rowsChanged(db: Database, table: CachedTable): void {
  for (const cache of registry.get(db) ?? []) if (cache.table === table) cache.clear();
}
