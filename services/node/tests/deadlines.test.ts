import { describe, expect, it } from 'vitest';
import { defaultResponseDeadlines } from '../src/config.ts';
import { createClient } from '../src/clients/clients.ts';
import { type TestNode, usePair } from './support/nodes.ts';
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
});
