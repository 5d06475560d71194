import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';

/** The committed, generated SQL migrations at the top of the repository. */
export const migrationsFolder = fileURLToPath(new URL('../../../../migrations', import.meta.url));

export async function applyMigrations(db: Database): Promise<void> {
  await migrate(db, { migrationsFolder });
}

let committed: number | undefined;

/** True when every committed migration has been applied (for /readyz; the files are read once). */
export async function migrationsCurrent(db: Database): Promise<boolean> {
  committed ??= readMigrationFiles({ migrationsFolder }).length;
  const expected = committed;
  try {
    const result = await db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return result.rows[0]?.n === expected;
  } catch {
    return false;
  }
}
