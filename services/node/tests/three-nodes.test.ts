import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../src/db/schema/index.ts';
import { fetchPeer, savePeer } from '../src/peers/peers.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { onboard, startTestNode, waitFor, type TestNode } from './support/nodes.ts';

const referralTo = (recipient: string) => {
  const r = demoReferral(new Date());
  return { ...r, recipient, consent: { ...r.consent, recipient } };
};

describe('a third node joins with no code change', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let csr: TestNode;
  beforeAll(async () => {
    [atina, pvpt, csr] = await Promise.all([startTestNode('atina'), startTestNode('pvpt'), startTestNode('csr-nis')]);
    await onboard(atina, pvpt);
  });
  afterAll(async () => {
    await Promise.all([atina?.stop(), pvpt?.stop(), csr?.stop()]);
  });

  async function deliveredBetween(from: TestNode, to: TestNode) {
    const created = await from.api('POST', '/v1/referrals', referralTo(to.id));
    expect(created.status).toBe(201);
    await waitFor(async () => (await from.api('GET', `/v1/referrals/${created.body.id}`)).body.status === 'received');
    const inbound = await to.api('GET', '/v1/referrals?direction=inbound');
    expect(inbound.body.items.map((r: { id: string; peer: string }) => [r.id, r.peer])).toContainEqual([created.body.id, from.id]);
  }

  it('is onboarded by pvpt and exchanges referrals both ways', async () => {
    await onboard(pvpt, csr);
    await deliveredBetween(csr, pvpt);
    await deliveredBetween(pvpt, csr);
  });

  it('is refused by atina until atina onboards it, and a one-sided onboarding is not enough', async () => {
    const refused = await atina.api('POST', '/v1/referrals', referralTo('csr-nis'));
    expect(refused.body.code).toBe('peer_unknown');
    // atina pins csr, but csr has not pinned atina: csr refuses, atina keeps the message and retries.
    await savePeer(atina.node.ctx.db, await fetchPeer(csr.federationUrl), 'active', 'test', new Date());
    const created = await atina.api('POST', '/v1/referrals', referralTo('csr-nis'));
    expect(created.status).toBe(201);
    const held = await waitFor(async () => {
      const [m] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, created.body.id));
      return m?.lastError === 'peer_unknown' && m;
    });
    expect(held.status).toBe('retrying');
    await savePeer(csr.node.ctx.db, await fetchPeer(atina.federationUrl), 'active', 'test', new Date());
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${created.body.id}`)).body.status === 'received');
    // Each pair holds its own keys: pvpt never learned anything about the atina–csr exchange.
    expect((await pvpt.api('GET', '/v1/referrals?direction=inbound')).body.items.some((r: { id: string }) => r.id === created.body.id)).toBe(false);
  });
});
