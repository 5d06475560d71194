import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedPostgresDir, type DataDir } from '../data-dir.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { openDatabase, type DatabaseHandle } from '../db/client.ts';
import { applyMigrations } from '../db/migrate.ts';

export const EMBEDDED_DATABASE = 'bridge';

export interface NodeDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The node's database: DATABASE_URL when given; otherwise the embedded PostgreSQL in the data
 * directory, reusing the running one (e.g. started by `bridge serve`) or starting it.
 */
export async function nodeDatabase(dataDir: DataDir, databaseUrl: string | undefined): Promise<NodeDatabase> {
  if (databaseUrl) return { url: databaseUrl, embedded: false, stop: async () => {} };
  const dir = embeddedPostgresDir(dataDir.dir);
  const password = dataDir.secrets.embeddedPostgresPassword;
  const running = runningPort(dir);
  const server = running === undefined ? await startEmbeddedPostgres(dir, { password }) : undefined;
  const port = server?.port ?? running!;
  const admin = `postgres://bridge:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(admin, EMBEDDED_DATABASE);
  return {
    url: admin.replace(/\/postgres$/, `/${EMBEDDED_DATABASE}`),
    embedded: true,
    stop: async () => {
      await server?.stop();
    },
  };
}

/** The port of a PostgreSQL already running on this data directory (postmaster.pid line 4). */
function runningPort(dir: string): number | undefined {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/** Opens the node database for a one-off command, migrated, and closes everything afterwards. */
export async function withNodeDatabase<T>(dataDir: DataDir, databaseUrl: string | undefined, fn: (db: DatabaseHandle['db']) => Promise<T>): Promise<T> {
  const server = await nodeDatabase(dataDir, databaseUrl);
  const handle = openDatabase(server.url, { max: 2 });
  try {
    await applyMigrations(handle.db);
    return await fn(handle.db);
  } finally {
    await handle.close();
    await server.stop();
  }
}
