import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Event, WebhookSubscriptionCreated } from '@bridge/contract';
import { events } from '../src/db/schema/index.ts';
import { startReceiver } from './support/webhook-receiver.ts';
import { defaultResponseDeadlines } from '../src/config.ts';
import { createClient } from '../src/clients/clients.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { deliveredReferral, waitForHistory } from './support/lifecycle.ts';

const HOUR = 3600_000;

describe('response deadlines', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  // pvpt's clock can be moved; it is moved only while no message is in flight.
  let offset = 0;
  usePair((a, b) => ([atina, pvpt] = [a, b]), { pvpt: { clock: { now: () => new Date(Date.now() + offset) }, config: { responseDeadlines: { ROUTINE: 24 * HOUR } } } });

  // A token that outlives the moved clock (the test helper's last a day).
  let token: string;
  const longToken = async () => (token ??= (await createClient(pvpt.node.ctx.db, pvpt.node.ctx.config, { name: 'deadlines', scopes: ['referrals:read', 'referrals:write'], ttlDays: 90 }, 'test', new Date())).token);
  const ids = async (query: string) => ((await pvpt.api('GET', `/v1/referrals?direction=inbound&${query}`, undefined, await longToken())).body.items as Array<{ id: string }>).map((r) => r.id);

  it('default to 4 h for EMERGENCY, 48 h for URGENT and 10 days for ROUTINE', () => {
    expect(defaultResponseDeadlines).toEqual({ EMERGENCY: 4 * HOUR, URGENT: 48 * HOUR, ROUTINE: 240 * HOUR });
  });

  it('flag a referral not answered by its deadline as overdue, on its clock, until it is accepted', async () => {
    offset = 0;
    const emergency = await deliveredReferral(atina, pvpt, { urgency: 'EMERGENCY' });
    const urgent = await deliveredReferral(atina, pvpt, { urgency: 'URGENT' });
    const routine = await deliveredReferral(atina, pvpt, { urgency: 'ROUTINE' });
    const get = async (id: string) => (await pvpt.api('GET', `/v1/referrals/${id}`, undefined, await longToken())).body;

    const fresh = await get(emergency);
    expect(Date.parse(fresh.responseDueAt) - Date.parse(fresh.createdAt)).toBe(4 * HOUR);
    expect(fresh.overdue).toBe(false);
    expect(Date.parse((await get(urgent)).responseDueAt) - Date.parse((await get(urgent)).createdAt)).toBe(48 * HOUR);
    // The configured ROUTINE deadline replaces the default; the others keep theirs.
    expect(Date.parse((await get(routine)).responseDueAt) - Date.parse((await get(routine)).createdAt)).toBe(24 * HOUR);
    expect(await ids('overdue=true')).not.toContain(emergency);

    offset = 4 * HOUR + 60_000;
    expect((await get(emergency)).overdue).toBe(true);
    expect((await get(urgent)).overdue).toBe(false);
    expect(await ids('overdue=true')).toContain(emergency);
    expect(await ids('overdue=true')).not.toContain(urgent);
    expect(await ids('overdue=false')).toContain(urgent);
    expect(await ids('overdue=false')).not.toContain(emergency);
    // atina's clock has not moved: for it, nothing is overdue yet.
    expect((await atina.api('GET', `/v1/referrals/${emergency}`)).body.overdue).toBe(false);

    offset = 25 * HOUR;
    expect(await ids('overdue=true&limit=200')).toEqual(expect.arrayContaining([emergency, routine]));
    expect(await ids('overdue=true&limit=200')).not.toContain(urgent);

    // An answer ends the wait: accepted or rejected is never overdue, however late it came.
    offset = 0;
    expect((await pvpt.api('POST', `/v1/referrals/${emergency}/accept`, {})).status).toBe(200);
    expect((await pvpt.api('POST', `/v1/referrals/${routine}/reject`, { reason: 'NO_CAPACITY' })).status).toBe(200);
    await waitForHistory(atina, emergency, 3);
    await waitForHistory(atina, routine, 3);
    offset = 30 * 24 * HOUR;
    expect((await get(emergency)).overdue).toBe(false);
    expect((await get(routine)).overdue).toBe(false);
    expect((await get(urgent)).overdue).toBe(true);
    expect(await ids('overdue=true&limit=200')).toEqual(expect.arrayContaining([urgent]));
    expect(await ids('overdue=true&limit=200')).not.toEqual(expect.arrayContaining([emergency]));
    expect((await pvpt.api('GET', '/v1/referrals?overdue=maybe', undefined, await longToken())).status).toBe(400);
    offset = 0;
  });

  it('record one referral.overdue event per late referral, none for answered ones, delivered to webhooks', async () => {
    offset = 0;
    const target = await startReceiver();
    try {
      const sub = await pvpt.api('POST', '/v1/webhooks', { url: `${target.url}/hooks`, eventTypes: ['referral.overdue'] }, await pvpt.token(['admin']));
      expect(sub.status, JSON.stringify(sub.body)).toBe(201);
      WebhookSubscriptionCreated.parse(sub.body);
      const late = await deliveredReferral(atina, pvpt, { urgency: 'EMERGENCY' });
      const answered = await deliveredReferral(atina, pvpt, { urgency: 'EMERGENCY' });
      expect((await pvpt.api('POST', `/v1/referrals/${answered}/accept`, {})).status).toBe(200);
      await waitForHistory(atina, answered, 3);
      const overdueEvents = async (node: TestNode, id: string) =>
        node.node.ctx.db.select().from(events).where(and(eq(events.referralId, id), eq(events.type, 'referral.overdue')));

      // Before the deadline, nothing.
      await pvpt.node.deadlines.runOnce();
      expect(await overdueEvents(pvpt, late)).toHaveLength(0);

      offset = 4 * HOUR + 60_000;
      // Two runs at once and one more later: still exactly one event.
      await Promise.all([pvpt.node.deadlines.runOnce(), pvpt.node.deadlines.runOnce()]);
      await pvpt.node.deadlines.runOnce();
      const recorded = await overdueEvents(pvpt, late);
      expect(recorded).toHaveLength(1);
      expect(recorded[0]!.data).toEqual({ direction: 'inbound', peer: 'atina', status: 'received' });
      expect(await overdueEvents(pvpt, answered)).toHaveLength(0);
      // atina's clock has not moved: not late there yet.
      await atina.node.deadlines.runOnce();
      expect(await overdueEvents(atina, late)).toHaveLength(0);

      // The feed serves it and the subscription gets it, once.
      const feed = (await pvpt.api('GET', '/v1/events?limit=500', undefined, await longToken())).body.items as Event[];
      expect(feed.filter((e) => e.referralId === late && e.type === 'referral.overdue')).toHaveLength(1);
      const delivered = await waitFor(async () => {
        const mine = target.received.map((r) => Event.parse(JSON.parse(r.body))).filter((e) => e.referralId === late);
        return mine.length > 0 && mine;
      }, 30_000);
      expect(delivered).toEqual([expect.objectContaining({ type: 'referral.overdue', referralId: late, status: 'received', direction: 'inbound', peer: 'atina' })]);
      expect(target.received.map((r) => Event.parse(JSON.parse(r.body))).filter((e) => e.referralId === answered)).toHaveLength(0);

      // Answering afterwards does not take it back, and it is never recorded again.
      offset = 0;
      expect((await pvpt.api('POST', `/v1/referrals/${late}/accept`, {})).status).toBe(200);
      offset = 30 * 24 * HOUR;
      await pvpt.node.deadlines.runOnce();
      expect(await overdueEvents(pvpt, late)).toHaveLength(1);
    } finally {
      offset = 0;
      await target.close();
    }
  });
});
