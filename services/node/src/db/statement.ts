import { getTableColumns, getTableName, type Column, type SQL } from 'drizzle-orm';
import type { PgDialect, PgTable } from 'drizzle-orm/pg-core';
import { createHash } from 'node:crypto';
import { connectionOf, preparedQuery, type Executor, type QueryConfig } from './client.ts';

/** SQL text whose placeholders are `$1…$n`, numbered from 1 within the fragment, and their values. */
export interface Fragment {
  text: string;
  params: unknown[];
}

type Query = SQL | { getSQL(): SQL };
type Piece = Fragment | Query;

const isFragment = (p: Piece): p is Fragment => typeof (p as Fragment).text === 'string';
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface TableInfo {
  name: string;
  /** Insertable columns by property key, in table order (as drizzle's own INSERT lists them). */
  columns: Array<[string, Column]>;
}
const tableInfo = new WeakMap<PgTable, TableInfo>();
function infoOf(table: PgTable): TableInfo {
  let info = tableInfo.get(table);
  if (!info) {
    const columns = Object.entries(getTableColumns(table)).filter(([, c]) => !(c as unknown as { shouldDisableInsert(): boolean }).shouldDisableInsert());
    if (columns.some(([, c]) => c.defaultFn !== undefined || c.onUpdateFn !== undefined)) {
      throw new Error(`${getTableName(table)}: columns with $defaultFn/$onUpdateFn are not supported here`);
    }
    info = { name: quote(getTableName(table)), columns };
    tableInfo.set(table, info);
  }
  return info;
}

/** A value as the column's driver value (drizzle's own mapping: dates, JSON, arrays). */
const driverValue = (column: Column, value: unknown) => (value === null ? null : column.mapToDriverValue(value));

/**
 * `insert into <table> (<every insertable column>) values (…), (…) [returning …]`, as drizzle's
 * `tx.insert(table).values(rows)` writes it (an absent value is `default`), built straight from
 * the table's columns: on the hot paths walking drizzle's query tree cost more than the database did.
 * `returning` is raw SQL over the table's column names.
 */
export function insertSql<T extends object>(table: PgTable, rows: T[], options: { returning?: string; overridingSystemValue?: boolean } = {}): Fragment {
  if (rows.length === 0) throw new Error('insertSql needs at least one row');
  const { name, columns } = infoOf(table);
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = columns.map(([key, column]) => {
      const value = (row as Record<string, unknown>)[key];
      if (value === undefined) return 'default';
      params.push(driverValue(column, value));
      return `$${params.length}`;
    });
    return `(${values.join(', ')})`;
  });
  const text =
    `insert into ${name} (${columns.map(([, c]) => quote(c.name)).join(', ')})` +
    `${options.overridingSystemValue ? ' overriding system value' : ''} values ${tuples.join(', ')}` +
    `${options.returning ? ` returning ${options.returning}` : ''}`;
  return { text, params };
}

/** `update <table> set <values> where <column> = <value>`, built like `insertSql`. */
export function updateSql<T extends object>(table: PgTable, values: Partial<T>, where: { column: Column; value: unknown }): Fragment {
  const { name } = infoOf(table);
  const all = getTableColumns(table);
  const params: unknown[] = [];
  const set = Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([key, value]) => {
      const column = all[key];
      if (!column) throw new Error(`${name} has no column ${key}`);
      params.push(driverValue(column, value));
      return `${quote(column.name)} = $${params.length}`;
    });
  params.push(driverValue(where.column, where.value));
  return { text: `update ${name} set ${set.join(', ')} where ${quote(where.column.name)} = $${params.length}`, params };
}

/** Every column of `table` as `"db_name" as "key"`, for a hand-written select or RETURNING read back with `mapRows`. */
export function selectList(table: PgTable, alias?: string): string {
  const prefix = alias ? `${quote(alias)}.` : '';
  return Object.entries(getTableColumns(table))
    .map(([key, c]) => `${prefix}${quote(c.name)} as ${quote(key)}`)
    .join(', ');
}

/** Rows read with `selectList`, mapped as drizzle maps them (dates, JSON, arrays, 64-bit numbers). */
export function mapRows<T>(table: PgTable, rows: Array<Record<string, unknown>>): T[] {
  const all = Object.entries(getTableColumns(table));
  for (const row of rows) for (const [key, c] of all) if (row[key] !== null && row[key] !== undefined) row[key] = c.mapFromDriverValue(row[key]);
  return rows as T[];
}

/** A drizzle `sql` query as the text and values pg sends (unprepared: for shapes that vary). */
export function sqlQuery(tx: Executor, query: SQL): QueryConfig {
  const { sql: text, params } = (tx as unknown as { dialect: PgDialect }).dialect.sqlToQuery(query);
  return { text, values: params };
}

/** A name for a prepared statement, the same for the same text on every connection and replica. */
export const statementName = (text: string) => `bridge_${createHash('sha1').update(text).digest('base64url')}`;

/**
 * `text` with its placeholders `$n` shifted past `offset` others (a piece's offset depends on what
 * is before it), remembered: the hot paths build the same few statements on every request, and
 * rewriting them each time showed in profiles (11 µs for the create-referral statement, 4 µs
 * remembered). Bounded: a text with literal values in it would otherwise grow the map without end,
 * so past 1000 entries it starts over.
 */
const shiftedTexts = new Map<string, string>();
function shiftPlaceholders(text: string, offset: number): string {
  if (offset === 0) return text;
  const key = `${offset} ${text}`;
  let shifted = shiftedTexts.get(key);
  if (shifted === undefined) {
    shifted = text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    if (shiftedTexts.size >= 1000) shiftedTexts.clear();
    shiftedTexts.set(key, shifted);
  }
  return shifted;
}

/**
 * The rows of `table` whose `column` equals `value`, as drizzle's `select().from(table)` maps them,
 * through a statement prepared once per connection: for the lookups every request or message makes
 * (its client, its peer), where PostgreSQL spent more time parsing and planning than reading.
 */
export async function selectWhereEq<T>(tx: Executor, table: PgTable, column: Column, value: unknown): Promise<T[]> {
  const key = `${getTableName(table)}.${column.name}`;
  let query = selectsWhereEq.get(key);
  if (!query) {
    const text = `select ${selectList(table)} from ${infoOf(table).name} where ${quote(column.name)} = $1`;
    query = { text, name: statementName(text) };
    selectsWhereEq.set(key, query);
  }
  return mapRows<T>(table, await preparedQuery<Record<string, unknown>>(tx, query.name, query.text, [driverValue(column, value)]));
}
const selectsWhereEq = new Map<string, { text: string; name: string }>();

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
  private readonly ctes: Array<{ name: string; piece: Piece }> = [];
  private readonly outputs: Array<{ alias: string; piece: Piece }> = [];
  private readonly inserts = new Map<PgTable, { rows: object[]; returning: string | undefined; then: Array<(name: string) => void> }>();
  private names = 0;

  /**
   * Adds rows to the one INSERT into `table`, written when the statement runs. `then` (the first
   * one given per table) is called with that INSERT's CTE name, to add writes that read its
   * `returning` columns.
   */
  insert<T extends object>(table: PgTable, rows: T[], options: { returning?: string; then?: (name: string) => void } = {}): void {
    let group = this.inserts.get(table);
    if (!group) {
      group = { rows: [], returning: options.returning, then: [] };
      this.inserts.set(table, group);
    }
    group.rows.push(...rows);
    if (options.then && group.then.length === 0) group.then.push(options.then);
  }

  /** Adds a write; returns its CTE name, which later writes or outputs may read (if it has RETURNING). */
  write(piece: Piece): string {
    const name = `w${this.names++}`;
    this.ctes.push({ name, piece });
    return name;
  }

  /**
   * Adds a read that must run (a CTE that selects runs only when read): its value is the result
   * column `alias`, e.g. a `pg_notify` call or a RETURNING value the caller needs.
   */
  output(alias: string, expression: Piece): void {
    this.outputs.push({ alias, piece: expression });
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
    const query = this.query(tx, options);
    if (!query) return {} as R;
    const [row] = (await connectionOf(tx).query<R>(query)).rows;
    return row ?? ({} as R);
  }

  /** The statement `run` sends, for a caller that sends it itself (`PipelinedTransaction.send`); undefined when empty. */
  query(tx: Executor, options: { prepare?: boolean } = {}): QueryConfig | undefined {
    for (const [table, group] of this.inserts) {
      const name = this.write(insertSql(table, group.rows, { returning: group.returning }));
      for (const then of group.then) then(name);
    }
    this.inserts.clear();
    if (this.empty) return undefined;
    const dialect = (tx as unknown as { dialect: PgDialect }).dialect;
    const params: unknown[] = [];
    // Each piece numbers its placeholders from $1: shift them past the ones before it.
    const place = (piece: Piece): string => {
      const { text, params: own } = isFragment(piece) ? piece : (({ sql, params }) => ({ text: sql, params }))(dialect.sqlToQuery('getSQL' in piece ? piece.getSQL() : piece));
      const offset = params.length;
      params.push(...own);
      return shiftPlaceholders(text, offset);
    };
    const ctes = this.ctes.map(({ name, piece }) => `${quote(name)} as (${place(piece)})`);
    const columns = this.outputs.length > 0 ? this.outputs.map(({ alias, piece }) => `(${place(piece)}) as ${quote(alias)}`).join(', ') : '1 as done';
    const text = ctes.length > 0 ? `with ${ctes.join(', ')} select ${columns}` : `select ${columns}`;
    // A path gathers the same writes every time, so its text repeats: PostgreSQL plans it once per
    // connection (planning a statement of many CTEs costs more than running it).
    return options.prepare === false ? { text, values: params } : { name: statementName(text), text, values: params };
  }
}
