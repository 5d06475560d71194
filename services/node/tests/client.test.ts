import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeApiError, createBridgeClient, type BridgeClient } from '@bridge/client';
import { demoReferral } from '../src/demo/scenario.ts';
import { startPair, type TestNode, waitFor } from './support/nodes.ts';

describe('@bridge/client against two real nodes', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let atinaClient: BridgeClient;
  let pvptClient: BridgeClient;
  beforeAll(async () => {
    [atina, pvpt] = await startPair();
    atinaClient = createBridgeClient({ baseUrl: atina.url, token: await atina.token() });
    pvptClient = createBridgeClient({ baseUrl: pvpt.url, token: await pvpt.token() });
  });
  afterAll(async () => {
    await Promise.all([atina?.stop(), pvpt?.stop()]);
  });

  it('creates, replays, reads, lists inbound on the peer and withdraws a referral', async () => {
    const input = demoReferral(new Date());
    const idempotencyKey = randomUUID();
    const created = await atinaClient.createReferral(input, { idempotencyKey });
    expect(created).toMatchObject({ direction: 'outbound', peer: 'pvpt', status: 'requested' });
    const replayed = await atinaClient.createReferral(input, { idempotencyKey });
    expect(replayed.id).toBe(created.id);
    expect((await atinaClient.listReferrals({ direction: 'outbound' })).items.map((r) => r.id)).toEqual([created.id]);

    const received = await waitFor(async () => {
      const r = await atinaClient.getReferral(created.id);
      return r.status === 'received' && r;
    });
    expect(received.history.map((h) => [h.status, h.by])).toEqual([
      ['requested', 'atina'],
      ['received', 'pvpt'],
    ]);

    const inbound = await pvptClient.listReferrals({ direction: 'inbound' });
    const seen = inbound.items.find((r) => r.id === created.id);
    expect(seen).toMatchObject({ direction: 'inbound', peer: 'atina', status: 'received' });
    expect(seen?.person).not.toHaveProperty('localId');

    const withdrawn = await atinaClient.withdrawReferral(created.id, { reason: 'PERSON_DECLINED' }, { idempotencyKey: randomUUID() });
    expect(withdrawn.status).toBe('cancelled');
    await waitFor(async () => (await pvptClient.getReferral(created.id)).status === 'cancelled');

    const again = await atinaClient.withdrawReferral(created.id).catch((err: unknown) => err);
    expect(again).toBeInstanceOf(BridgeApiError);
    expect(again).toMatchObject({ status: 409, code: 'illegal_transition' });
  });

  it('surfaces problem documents as BridgeApiError with their stable code', async () => {
    const input = demoReferral(new Date());
    const unknownPeer = { ...input, recipient: 'nowhere', consent: { ...input.consent, recipient: 'nowhere' } };
    await expect(atinaClient.createReferral(unknownPeer)).rejects.toMatchObject({ name: 'BridgeApiError', status: 404, code: 'peer_unknown' });
    await expect(atinaClient.getReferral(randomUUID())).rejects.toMatchObject({ status: 404, code: 'not_found' });

    const { urgency, ...withoutUrgency } = input;
    // @ts-expect-error: a misspelt field is a compile-time error, and the node refuses it too
    await expect(atinaClient.createReferral({ ...withoutUrgency, urgncy: urgency })).rejects.toMatchObject({ status: 400, code: 'validation_failed' });

    const stranger = createBridgeClient({ baseUrl: atina.url, token: 'not-a-token' });
    await expect(stranger.listReferrals()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('reaches the admin API with an admin token and is refused without one', async () => {
    await expect(atinaClient.listOutbox()).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    const admin = createBridgeClient({ baseUrl: atina.url, token: await atina.token(['admin']) });
    const outbox = await admin.listOutbox({ peer: 'pvpt' });
    expect(outbox.items.length).toBeGreaterThan(0);
    const delivered = outbox.items[0]!;
    expect(delivered.status).toBe('delivered');
    await expect(admin.resendOutboxMessage(delivered.id)).rejects.toMatchObject({ status: 409, code: 'conflict' });
    await expect(admin.discardOutboxMessage(delivered.id, { reason: 'OBSOLETE' })).rejects.toMatchObject({ status: 409, code: 'conflict' });
  });

  it('exposes the raw openapi-fetch client, with the bearer token added', async () => {
    const { data, response } = await atinaClient.GET('/v1/referrals', { params: { query: { limit: 1 } } });
    expect(response.status).toBe(200);
    expect(data?.items).toHaveLength(1);
  });
});
