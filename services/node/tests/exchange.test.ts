import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { loadContractDocument } from '@bridge/contract';
import { demoReferral } from '../src/demo/scenario.ts';
import { inboundMessages, outboxMessages, referrals } from '../src/db/schema/index.ts';
import { startPair, type TestNode, usePair, waitFor } from './support/nodes.ts';

describe('two nodes exchange a signed referral', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it("accepts the contract's own createReferral examples as they are (an integrator's first request)", async () => {
    const paths = loadContractDocument().paths as Record<string, { post?: { requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } } }>;
    const examples = Object.entries(paths['/v1/referrals']!.post!.requestBody!.content['application/json']!.examples!);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const [name, { value }] of examples) {
      const created = await atina.api('POST', '/v1/referrals', value);
      // An example whose consent has expired by now gets a 400: move its validUntil forward.
      expect({ name, status: created.status, errors: created.body.errors }).toEqual({ name, status: 201, errors: undefined });
    }
  });

  it('delivers a referral, which pvpt lists as inbound and atina then shows as received', async () => {
    const input = demoReferral(new Date());
    const created = await atina.api('POST', '/v1/referrals', input);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ direction: 'outbound', peer: 'pvpt', status: 'requested' });
    const id: string = created.body.id;

    const received = await waitFor(async () => {
      const r = await atina.api('GET', `/v1/referrals/${id}`);
      return r.body.status === 'received' && r.body;
    });
    expect(received.history.map((h: { status: string; by: string }) => [h.status, h.by])).toEqual([
      ['requested', 'atina'],
      ['received', 'pvpt'],
    ]);

    const inbound = await pvpt.api('GET', '/v1/referrals?direction=inbound');
    expect(inbound.status).toBe(200);
    const seen = inbound.body.items.find((r: { id: string }) => r.id === id);
    expect(seen).toMatchObject({ direction: 'inbound', peer: 'atina', status: 'received', services: input.services, risk: input.risk, note: input.note });
    // Names in Cyrillic and Albanian arrive byte for byte.
    expect(seen.person).toMatchObject({ givenName: 'Dritë', familyName: 'Krasniqi-Çeliku', urgentHealthNeeds: input.person.urgentHealthNeeds });
    expect(seen.consent).toEqual(input.consent);
    // The peer sees a pairwise pseudonym, never the local case id or the document number.
    expect(seen.person.pseudonym).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(seen.person).not.toHaveProperty('localId');
    expect(seen.person).not.toHaveProperty('documentNumber');
    // Nationality is outside the consent's data categories: not in pvpt's database at all.
    const [row] = await pvpt.node.ctx.db.select().from(referrals).where(eq(referrals.id, id));
    expect(row!.person).not.toHaveProperty('nationality');
    // Searched as JSON string values: a two-letter code like "XK" may occur inside the random pseudonym.
    for (const value of [input.person.localId, input.person.documentNumber!, input.person.nationality!]) expect(JSON.stringify(row)).not.toContain(JSON.stringify(value));

    // atina's outbox holds pvpt's verified receipt naming the log index of pvpt's event.
    const [sent] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, id));
    expect(sent).toMatchObject({ status: 'delivered', type: 'referral.request', seq: 1, prev: null });
    const [stored] = await pvpt.node.ctx.db.select().from(inboundMessages).where(eq(inboundMessages.id, sent!.id));
    expect(stored!.receipt).toBe(sent!.receipt);
    expect(sent!.receiptLogIndex).toBe(stored!.logIndex);
    expect(sent!.sentDigests).toContain(stored!.receivedDigest);
  });

  it('lists outbound and inbound separately with cursor paging', async () => {
    for (let i = 0; i < 3; i++) expect((await atina.api('POST', '/v1/referrals', demoReferral(new Date()))).status).toBe(201);
    const first = await atina.api('GET', '/v1/referrals?direction=outbound&limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await atina.api('GET', `/v1/referrals?direction=outbound&limit=2&cursor=${first.body.nextCursor}`);
    const ids = [...first.body.items, ...second.body.items].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect((await atina.api('GET', '/v1/referrals?direction=inbound')).body.items).toEqual([]);
    const forged = await atina.api('GET', '/v1/referrals?cursor=bm90LWEtY3Vyc29y');
    expect(forged).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    const invalid = await atina.api('POST', '/v1/referrals', { ...demoReferral(new Date()), urgency: 'SOON' });
    expect(invalid.body.errors).toContainEqual(expect.objectContaining({ path: '/body/urgency' }));
  });

  it('refuses a referral to an unknown peer with a stable code and writes nothing', async () => {
    const before = await atina.node.ctx.db.$count(referrals);
    const input = demoReferral(new Date());
    const res = await atina.api('POST', '/v1/referrals', { ...input, recipient: 'csr-nis', consent: { ...input.consent, recipient: 'csr-nis' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'peer_unknown', status: 404 });
    expect(await atina.node.ctx.db.$count(referrals)).toBe(before);
  });
});

describe('logs', () => {
  it('never carry names, free text, tokens or key material, whatever happened', async () => {
    const [atina, pvpt] = await startPair();
    try {
      const input = demoReferral(new Date());
      const token = await atina.token();
      const created = await atina.api('POST', '/v1/referrals', input, token);
      await waitFor(async () => (await atina.api('GET', `/v1/referrals/${created.body.id}`, undefined, token)).body.status === 'received');
      await atina.api('POST', '/v1/referrals', { ...input, services: ['NOT_A_SERVICE'] }, token);
      await atina.api('POST', '/v1/referrals', { ...input, consent: { ...input.consent, validUntil: '2020-01-01T00:00:00Z' } }, token);
      await pvpt.api('GET', '/v1/referrals?direction=inbound');
      const markers = [
        input.person.givenName,
        input.person.familyName!,
        input.person.localId,
        input.person.documentNumber!,
        input.person.urgentHealthNeeds!.slice(0, 12),
        input.note!.slice(0, 12),
        token,
        token.split('.')[2]!,
        ...[atina, pvpt].flatMap((n) => Object.values(n.storedKeys).flat().map((k) => k.jwk.d)),
        atina.node.ctx.config.pseudonymSecret,
      ];
      const logs = [...atina.logs, ...pvpt.logs].join('\n');
      expect(logs.length).toBeGreaterThan(1000);
      for (const marker of markers) expect(logs).not.toContain(marker);
    } finally {
      await Promise.all([atina.stop(), pvpt.stop()]);
    }
  });
});
