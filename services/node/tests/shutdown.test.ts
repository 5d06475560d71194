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

  it('finishes the delivery and the request in flight, starts no new delivery and accepts no new request', async () => {
    const atinaDb = atina.node.ctx.config.databaseUrl;
    // pvpt cannot store a referral while this transaction holds the table: atina's delivery hangs in flight.
    blocker = new pg.Client({ connectionString: pvpt.node.ctx.config.databaseUrl });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table referrals in access exclusive mode');

    const first = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(first.status).toBe(201);
    await waitFor(async () => pvpt.logs.some((l) => l.includes('"incoming request"') && l.includes('/federation/v1/messages')));
    const [inFlight] = await query<{ status: string }>(atinaDb, 'select status from outbox_messages where referral_id = $1', [first.body.id]);
    expect(inFlight!.status).toBe('sending');
    // The withdrawal is the referral's next message: it becomes due the moment the first is delivered.
    const withdrawn = await atina.api('POST', `/v1/referrals/${first.body.id}/withdraw`, { reason: 'PERSON_DECLINED' });
    expect(withdrawn.status).toBe(200);

    // A request in flight on atina too, from a client not seen before (a known one is in the
    // node's cache): its token cannot be looked up while this lock is held.
    const freshToken = await atina.token();
    const clientsLock = new pg.Client({ connectionString: atinaDb });
    await clientsLock.connect();
    await clientsLock.query('begin');
    await clientsLock.query('lock table api_clients in access exclusive mode');
    const requestsBefore = atina.logs.filter((l) => l.includes('"incoming request"')).length;
    const pendingRequest = atina.api('GET', '/v1/referrals', undefined, freshToken);
    await waitFor(async () => atina.logs.filter((l) => l.includes('"incoming request"')).length > requestsBefore);

    let stopped = false;
    const stopping = atina.stop().then(() => (stopped = true));
    // no longer accepting: refused outright, or 503 on a connection that was already open
    await waitFor(async () => {
      try {
        return (await fetch(`${atina.federationUrl}/healthz`)).status === 503;
      } catch {
        return true;
      }
    });

    // The delivery in flight completes while the node stops: delivered, receipt verified and stored.
    await blocker.query('commit');
    await waitFor(async () => atina.logs.some((l) => l.includes('"message delivered"')));
    expect(stopped).toBe(false);
    // The request in flight is answered, then the node finishes stopping.
    await clientsLock.query('commit');
    await clientsLock.end();
    expect((await pendingRequest).status).toBe(200);
    await stopping;

    const rows = await query<{ type: string; status: string; receipt: string | null; attempts: number }>(
      atinaDb,
      'select type, status, receipt, attempts from outbox_messages where referral_id = $1 order by seq',
      [first.body.id],
    );
    expect(rows).toMatchObject([
      { type: 'referral.request', status: 'delivered', receipt: expect.stringMatching(/^ey/) },
      // due since the first was delivered, but the dispatcher had stopped taking work
      { type: 'referral.withdraw', status: 'queued', receipt: null, attempts: 0 },
    ]);
    const onPvpt = await query<{ status: string }>(pvpt.node.ctx.config.databaseUrl, 'select status from referrals where id = $1', [first.body.id]);
    expect(onPvpt).toEqual([{ status: 'received' }]);
    await expect(fetch(`${atina.federationUrl}/healthz`)).rejects.toThrow();
  });
});
