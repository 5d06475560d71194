import { rm } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { peers } from '../src/db/schema/index.ts';
import { freePort, startEmbeddedPostgres, temporaryClusterDir } from '../src/db/embedded.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/client.ts';
import { checkHistory, type History } from './support/history.ts';
import { newProgress, submitReferrals, whenAccepted, type LoadResult } from './support/load.ts';
import { onboardProcesses, prepareProcessNode, tokenFor, type ProcessNode } from './support/processes.ts';
import { startFaultProxy, type FaultMode } from './support/fault-proxy.ts';
import { startPair, type TestNode } from './support/nodes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until everything accepted has arrived, then returns the history check. */
async function settled(load: LoadResult, senderDb: string, receiverDb: string, timeoutMs = 60_000): Promise<History> {
  const deadline = Date.now() + timeoutMs;
  let history = await checkHistory(load, senderDb, receiverDb, 'atina');
  while (history.undelivered > 0 && Date.now() < deadline) {
    await sleep(250);
    history = await checkHistory(load, senderDb, receiverDb, 'atina');
  }
  return history;
}

function expectExactlyOnceInOrder(history: History, expectedAccepted: number) {
  expect(history).toEqual({ accepted: expectedAccepted, delivered: history.delivered, duplicates: 0, outOfOrder: 0, unexpected: 0, undelivered: 0 });
}

describe('delivery through faults (bounded, loopback only)', () => {
  const running: ProcessNode[] = [];
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const n of running.splice(0)) await n.kill();
    for (const c of cleanup.splice(0)) await c().catch(() => {});
  });

  async function processPair(receiverEnv: Record<string, string> = {}, dbs?: { atina: string; pvpt: string }) {
    const atina = await prepareProcessNode('atina', { BRIDGE_DELIVERY_TIMEOUT_MS: '2000' }, dbs?.atina);
    const pvpt = await prepareProcessNode('pvpt', receiverEnv, dbs?.pvpt);
    running.push(atina, pvpt);
    cleanup.push(() => rm(atina.dataDir.dir, { recursive: true, force: true }), () => rm(pvpt.dataDir.dir, { recursive: true, force: true }));
    await onboardProcesses(atina, pvpt);
    await Promise.all([atina.start(), pvpt.start()]);
    return { atina, pvpt, token: await tokenFor(atina) };
  }

  it('the peer is down during a burst, then comes back', async () => {
    const { atina, pvpt, token } = await processPair();
    await pvpt.kill('SIGKILL');
    const load = await submitReferrals(atina.url, token, 40, { withdrawEvery: 4 });
    await sleep(1000); // the sender retries against a dead peer meanwhile
    await pvpt.start();
    const history = await settled(load, atina.databaseUrl, pvpt.databaseUrl);
    console.log(`[faults] peer down: ${JSON.stringify(history)}`);
    expectExactlyOnceInOrder(history, 40);
  }, 120_000);

  it('the sender is killed with SIGKILL at random points under load and restarted, several times', async () => {
    const { atina, pvpt, token } = await processPair();
    let kills = 0;
    let midFlow = 0;
    const progress = newProgress();
    const loading = submitReferrals(atina.url, token, 80, { withdrawEvery: 5, concurrency: 6, progress });
    // Kill points are set by progress, not by the clock: a fast sender must not finish before the first kill.
    for (const at of [8, 25, 45, 62]) {
      if (await whenAccepted(progress, at + Math.floor(Math.random() * 10))) midFlow++;
      await sleep(Math.random() * 30);
      await atina.kill('SIGKILL');
      kills++;
      await sleep(100);
      await atina.start();
    }
    const load = await loading;
    const history = await settled(load, atina.databaseUrl, pvpt.databaseUrl);
    console.log(`[faults] sender SIGKILL x${kills} (${midFlow} mid-flow): ${JSON.stringify(history)} client attempts ${load.attempts}, failed ${load.failures}`);
    expectExactlyOnceInOrder(history, 80);
    expect(midFlow).toBe(kills);
    expect(load.failures).toBeGreaterThan(0); // the kills really interrupted requests
  }, 150_000);

  it('the receiver is killed between its commit and its reply', async () => {
    const { atina, pvpt, token } = await processPair({ BRIDGE_FAULT_CRASH_AFTER_COMMIT: '0.25' });
    let crashes = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (!pvpt.running()) {
          crashes++;
          await pvpt.start();
        }
        await sleep(50);
      }
    })();
    const load = await submitReferrals(atina.url, token, 30, { withdrawEvery: 3 });
    const history = await settled(load, atina.databaseUrl, pvpt.databaseUrl, 90_000);
    watching = false;
    await watcher;
    console.log(`[faults] receiver killed after commit x${crashes}: ${JSON.stringify(history)}`);
    expect(crashes).toBeGreaterThan(0);
    expectExactlyOnceInOrder(history, 30);
    // Each crash left a committed message without a receipt: the retry got the original one.
    const client = new pg.Client({ connectionString: pvpt.databaseUrl });
    await client.connect();
    const replays = (await client.query(`select count(*)::int as n from audit_events where type = 'message.replayed'`)).rows[0].n as number;
    await client.end();
    expect(replays).toBeGreaterThan(0);
  }, 150_000);

  it('the database connections of both nodes are cut mid-flow', async () => {
    const { atina, pvpt, token } = await processPair();
    const admin = new pg.Client({ connectionString: atina.databaseUrl });
    await admin.connect();
    cleanup.push(() => admin.end());
    const names = [atina, pvpt].map((n) => new URL(n.databaseUrl).pathname.slice(1));
    let cuts = 0;
    let midFlow = 0;
    const progress = newProgress();
    const loading = submitReferrals(atina.url, token, 60, { withdrawEvery: 4, progress });
    for (const at of [8, 25, 42]) {
      if (await whenAccepted(progress, at + Math.floor(Math.random() * 8))) midFlow++;
      const res = await admin.query('select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = any($1) and pid <> pg_backend_pid()', [names]);
      cuts += res.rows[0].n as number;
    }
    const load = await loading;
    const history = await settled(load, atina.databaseUrl, pvpt.databaseUrl);
    console.log(`[faults] ${cuts} connections cut in 3 rounds (${midFlow} mid-flow): ${JSON.stringify(history)}`);
    if (history.undelivered > 0) console.log(atina.output.slice(-3000), pvpt.output.slice(-3000));
    expect(cuts).toBeGreaterThan(0);
    expect(midFlow).toBe(3);
    expectExactlyOnceInOrder(history, 60);
  }, 120_000);

  it('the PostgreSQL server of both nodes restarts mid-flow', async () => {
    const dir = await temporaryClusterDir('bridge-restart-pg-');
    const port = await freePort();
    let server = await startEmbeddedPostgres(dir, { password: 'restart-test', port });
    cleanup.push(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('create database atina');
    await admin.query('create database pvpt');
    await admin.end();
    const dbs = { atina: server.url.replace(/\/postgres$/, '/atina'), pvpt: server.url.replace(/\/postgres$/, '/pvpt') };
    for (const url of Object.values(dbs)) {
      const handle = openDatabase(url, { max: 1 });
      await applyMigrations(handle.db);
      await handle.close();
    }
    const { atina, pvpt, token } = await processPair({}, dbs);
    const progress = newProgress();
    const loading = submitReferrals(atina.url, token, 40, { withdrawEvery: 4, progress });
    const midFlow = await whenAccepted(progress, 10);
    await server.stop();
    await sleep(500);
    server = await startEmbeddedPostgres(dir, { password: 'restart-test', port });
    const load = await loading;
    const history = await settled(load, atina.databaseUrl, pvpt.databaseUrl);
    console.log(`[faults] server restart (mid-flow: ${midFlow}): ${JSON.stringify(history)} client attempts ${load.attempts}, failed ${load.failures}`);
    expect(midFlow).toBe(true);
    expectExactlyOnceInOrder(history, 40);
  }, 150_000);

  it('a fault proxy between the nodes delays, resets, black-holes and truncates', async () => {
    const delivery = { pollIntervalMs: 100, baseDelayMs: 50, maxDelayMs: 500, deadlineMs: 3600_000, requestTimeoutMs: 800, concurrency: 8 };
    const [atina, pvpt]: [TestNode, TestNode] = await startPair({ atina: { config: { delivery } } });
    cleanup.push(() => atina.stop(), () => pvpt.stop());
    const target = new URL(pvpt.federationUrl);
    const modes: FaultMode[] = ['pass', 'pass', 'pass', 'delay', 'delay', 'reset', 'blackhole', 'truncate', 'truncate'];
    const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port) }, () => modes[Math.floor(Math.random() * modes.length)]!);
    cleanup.push(() => proxy.close());
    await atina.node.ctx.db.update(peers).set({ messagesUrl: `${proxy.url}/federation/v1/messages` }).where(eq(peers.nodeId, 'pvpt'));
    const load = await submitReferrals(atina.url, await atina.token(), 60, { withdrawEvery: 4 });
    const history = await settled(load, atina.node.ctx.config.databaseUrl, pvpt.node.ctx.config.databaseUrl, 90_000);
    console.log(`[faults] proxy ${JSON.stringify(proxy.counts)}: ${JSON.stringify(history)}`);
    expect(proxy.counts.reset + proxy.counts.truncate + proxy.counts.blackhole).toBeGreaterThan(0);
    expectExactlyOnceInOrder(history, 60);
  }, 150_000);
});
