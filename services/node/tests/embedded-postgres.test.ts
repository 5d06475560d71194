import { lstat, mkdtemp, readlink, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, freePort, RELOCATED_CLUSTERS, startEmbeddedPostgres, temporaryClusterDir } from '../src/db/embedded.ts';
import { describeFailure } from '../src/cli/failure.ts';

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
});

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('reports a port in use in one line that says what to do', async () => {
    const dir = await temporaryClusterDir('bridge-embedded-port-');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => holder.close(resolve)));
    const err = await startEmbeddedPostgres(dir, { password: 'port-test-password', port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedPostgresError);
    expect(describeFailure(err)).toBe(`PostgreSQL could not listen on 127.0.0.1:${port}: the port is in use; stop what uses it or choose another port`);
  }, 120_000);

  // As root PostgreSQL runs as `postgres`; a data directory that user cannot reach (here: under a
  // 0700 directory, as in root's home) keeps its cluster where it can, linked from the data directory.
  it.runIf(process.getuid?.() === 0)('as root, keeps a cluster postgres cannot reach in /var/lib/bridge/postgres, linked, and changes no permission', async () => {
    const closed = await mkdtemp(join(tmpdir(), 'bridge-closed-'));
    cleanup.push(() => rm(closed, { recursive: true, force: true }));
    const dir = join(closed, 'atina', 'postgres');
    const first = await startEmbeddedPostgres(dir, { password: 'relocation-test-password' });
    cleanup.push(async () => {
      await first.stop();
      await rm(first.location, { recursive: true, force: true });
    });
    expect(first.location.startsWith(`${RELOCATED_CLUSTERS}/`)).toBe(true);
    expect((await lstat(dir)).isSymbolicLink()).toBe(true);
    expect(await readlink(dir)).toBe(first.location);
    expect((await stat(closed)).mode & 0o777).toBe(0o700);
    await query(first.url, 'create table kept (x int); insert into kept values (42)');
    await first.stop();

    const again = await startEmbeddedPostgres(dir, { password: 'relocation-test-password' });
    cleanup.push(() => again.stop());
    expect(again.location).toBe(first.location);
    expect(await query(again.url, 'select x from kept')).toEqual([{ x: 42 }]);
    expect((await query(again.url, 'select current_user as u'))[0].u).toBe('bridge');
  }, 180_000);
});
