import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgDialect, PgTable } from 'drizzle-orm/pg-core';
import { createHash } from 'node:crypto';
import { preparedQuery, type Executor } from './client.ts';

type Query = SQL | { getSQL(): SQL };

const toSQL = (q: Query): SQL => ('getSQL' in q ? q.getSQL() : q);

/**
 * Several writes of one transaction sent as one statement: each write is a data-modifying CTE of
 * `with w0 as (…), w1 as (…) select …`. PostgreSQL runs every data-modifying CTE exactly once, to
 * completion, whether or not anything reads it, all on the statement's snapshot, and checks
 * constraints at the end of the statement, so a row may reference one inserted by another write of
 * the same statement. A statement is a round trip, and on this path round trips are most of the
 * cost, so the hot paths gather their writes here and run them once.
 *
 * Rules that follow from the single snapshot: a write cannot see another's rows (pass values, or
 * read a CTE by the name `write` returns), and two writes must never touch the same row. Nor is
 * the order in which the CTEs run defined: rows whose order matters (history entries, events and
 * audit events are read in id order) go through `insert`, which gathers every row for one table
 * into one multi-row INSERT, in the order they were added.
 */
export class Statement {
  private readonly ctes: SQL[] = [];
  private readonly outputs: SQL[] = [];
  private readonly inserts = new Map<string, { build: (rows: object[]) => Query; rows: object[]; then: Array<(name: string) => void> }>();
  private names = 0;

  /**
   * Adds rows to the one INSERT into `table`, built by `build` with all of them when the statement
   * runs. `then` (once per key) is called with that INSERT's CTE
   * name, to add writes that read its RETURNING.
   */
  insert<T extends object>(table: PgTable, rows: T[], build: (rows: T[]) => Query, then?: (name: string) => void): void {
    const id = getTableName(table);
    let group = this.inserts.get(id);
    if (!group) {
      group = { build: build as (rows: object[]) => Query, rows: [], then: [] };
      this.inserts.set(id, group);
    }
    group.rows.push(...rows);
    if (then && group.then.length === 0) group.then.push(then);
  }

  /** Adds a write; returns its CTE name, which later writes or outputs may read (if it has RETURNING). */
  write(query: Query): string {
    const name = `w${this.names++}`;
    this.ctes.push(sql`${sql.identifier(name)} as (${toSQL(query)})`);
    return name;
  }

  /**
   * Adds a read that must run (a CTE that selects runs only when read): its value is the result
   * column `alias`, e.g. a `pg_notify` call or a RETURNING value the caller needs.
   */
  output(alias: string, expression: SQL): void {
    this.outputs.push(sql`(${expression}) as ${sql.identifier(alias)}`);
  }

  get empty(): boolean {
    return this.ctes.length === 0 && this.outputs.length === 0 && this.inserts.size === 0;
  }

  /**
   * Runs everything gathered as one statement in `tx`; returns the outputs. `prepare: false` for a
   * statement whose shape varies with its input (a group of n rows): a connection keeps every
   * statement it prepared, so only shapes that repeat are prepared.
   */
  async run<R extends Record<string, unknown> = Record<string, unknown>>(tx: Executor, options: { prepare?: boolean } = {}): Promise<R> {
    for (const group of this.inserts.values()) {
      const name = this.write(group.build(group.rows));
      for (const then of group.then) then(name);
    }
    this.inserts.clear();
    if (this.empty) return {} as R;
    const columns = this.outputs.length > 0 ? sql.join(this.outputs, sql`, `) : sql`1 as done`;
    const query = this.ctes.length > 0 ? sql`with ${sql.join(this.ctes, sql`, `)} select ${columns}` : sql`select ${columns}`;
    // A path gathers the same writes every time, so its text repeats: PostgreSQL plans it once per
    // connection (planning a statement of many CTEs costs more than running it).
    if (options.prepare === false) return ((await tx.execute(query)).rows[0] ?? {}) as R;
    const { sql: text, params } = (tx as unknown as { dialect: PgDialect }).dialect.sqlToQuery(query);
    const [row] = await preparedQuery<R>(tx, `bridge_${createHash('sha1').update(text).digest('base64url')}`, text, params);
    return row ?? ({} as R);
  }
}
