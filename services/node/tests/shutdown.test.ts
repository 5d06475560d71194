import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDelivery } from '../src/config.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { onboard, startTestNode, waitFor, type TestNode } from './support/nodes.ts';

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('graceful shutdown', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let blocker: pg.Client;

  beforeAll(async () => {
    // One delivery at a time, so a second message can only wait for the first one's worker.
    [atina, pvpt] = await Promise.all([
      startTestNode('atina', { config: { delivery: { ...defaultDelivery, concurrency: 1, pollIntervalMs: 200, baseDelayMs: 50, maxDelayMs: 1000 } } }),
      startTestNode('pvpt'),
    ]);
    await onboard(atina, pvpt);
  });
  afterAll(async () => {
    await blocker?.end().catch(() => {});
    await Promise.all([atina?.stop(), pvpt?.stop()]);
  });

  it('finishes the delivery in flight (delivered, receipt stored), starts nothing new and stops accepting requests', async () => {
    const atinaDb = atina.node.ctx.config.databaseUrl;
    // pvpt cannot store a referral while this transaction holds the table: atina's delivery hangs in flight.
    blocker = new pg.Client({ connectionString: pvpt.node.ctx.config.databaseUrl });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table referrals in access exclusive mode');

    const first = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(first.status).toBe(201);
    await waitFor(async () => pvpt.logs.some((l) => l.includes('"incoming request"') && l.includes('/federation/v1/messages')));
    const [inFlight] = await query<{ id: string; status: string }>(atinaDb, 'select id, status from outbox_messages where referral_id = $1', [first.body.id]);
    expect(inFlight!.status).toBe('sending');
    // queued behind it: the only worker is busy
    const second = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(second.status).toBe(201);

    let stopped = false;
    const stopping = atina.stop().then(() => (stopped = true));
    // no longer accepting: refused outright, or 503 on a connection that was already open
    await waitFor(async () => {
      try {
        return (await fetch(`${atina.url}/healthz`)).status === 503;
      } catch {
        return true;
      }
    });
    expect(stopped).toBe(false);

    await blocker.query('commit');
    await stopping;

    const rows = await query<{ referral_id: string; status: string; receipt: string | null; attempts: number }>(
      atinaDb,
      'select referral_id, status, receipt, attempts from outbox_messages',
    );
    const byReferral = new Map(rows.map((r) => [r.referral_id, r]));
    expect(byReferral.get(first.body.id)).toMatchObject({ status: 'delivered', receipt: expect.stringMatching(/^ey/) });
    expect(byReferral.get(second.body.id)).toMatchObject({ status: 'queued', receipt: null, attempts: 0 });
    // pvpt has the first referral, and never saw the second
    const onPvpt = await query<{ id: string }>(pvpt.node.ctx.config.databaseUrl, 'select id from referrals');
    expect(onPvpt.map((r) => r.id)).toEqual([first.body.id]);
    await expect(fetch(`${atina.url}/healthz`)).rejects.toThrow();
  });
});
