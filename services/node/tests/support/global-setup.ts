import { rm } from 'node:fs/promises';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/client.ts';
import { startEmbeddedPostgres, temporaryClusterDir } from '../../src/db/embedded.ts';
import { withDatabase } from './database-url.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { adminUrl: string; template: string; prefix: string; kind: string };
  }
}

interface Server {
  kind: string;
  adminUrl: string;
  stop(): Promise<void>;
}

/** TEST_DATABASE_URL, else a testcontainers PostgreSQL when Docker answers, else embedded PostgreSQL. */
async function startServer(): Promise<Server> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (fromEnv) return { kind: 'TEST_DATABASE_URL', adminUrl: fromEnv, stop: async () => {} };
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { kind: 'testcontainers PostgreSQL', adminUrl: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  } catch {
    // no Docker engine answered: fall through to the embedded server
  }
  const dir = await temporaryClusterDir('bridge-test-pg-');
  const server = await startEmbeddedPostgres(dir, { password: 'bridge-test' });
  return {
    kind: 'embedded PostgreSQL',
    adminUrl: server.url,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  const server = await startServer();
  const prefix = `bridge_t${process.pid}_${Date.now().toString(36)}`;
  const template = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  const version = (await admin.query<{ v: string }>('select current_setting(\'server_version\') as v')).rows[0]?.v;
  await admin.query(`create database "${template}"`);
  await admin.end();
  const handle = openDatabase(withDatabase(server.adminUrl, template), { max: 1 });
  await applyMigrations(handle.db);
  await handle.close();
  console.log(`[bridge tests] database: ${server.kind} (PostgreSQL ${version}); template ${template} migrated`);
  project.provide('testDatabase', { adminUrl: server.adminUrl, template, prefix, kind: server.kind });

  return async () => {
    const cleanup = new pg.Client({ connectionString: server.adminUrl });
    await cleanup.connect();
    const { rows } = await cleanup.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${prefix}%`]);
    for (const { datname } of rows) await cleanup.query(`drop database if exists "${datname}" with (force)`);
    await cleanup.end();
    await server.stop();
  };
}
