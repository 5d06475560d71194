import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from './database-url.ts';

/** A fresh, migrated database copied from the run's template (CREATE DATABASE … TEMPLATE). */
export async function createTestDatabase(): Promise<string> {
  const { adminUrl, template, prefix } = inject('testDatabase');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  return withDatabase(adminUrl, name);
}
