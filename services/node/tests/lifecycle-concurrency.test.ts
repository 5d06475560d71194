import fc from 'fast-check';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outboxMessages } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { type TestNode, usePair } from './support/nodes.ts';
import { forgeStatus, type HistoryEntry, historyOf } from './support/lifecycle.ts';

/**
 * Both nodes change the same referral while neither has delivered its message yet: the sender (atina)
 * cancels or marks it entered-in-error, the receiver (pvpt) accepts, rejects, starts, holds, completes or
 * fails it. Delivery is driven by hand (`autoDispatch: false`, `processAll`), in either order or at once.
 * Both must end with the same status (the sender's) and the same history, with every message delivered
 * at its first attempt: nothing refused, nothing left to retry.
 */
const RECEIVER_MOVES: Record<string, Array<[action: string, status: string]>> = {
  received: [['accept', 'accepted'], ['reject', 'rejected']],
  accepted: [['start', 'in-progress'], ['hold', 'on-hold']],
  'in-progress': [['start', 'in-progress'], ['hold', 'on-hold'], ['complete', 'completed'], ['fail', 'failed']],
  'on-hold': [['start', 'in-progress'], ['hold', 'on-hold'], ['complete', 'completed'], ['fail', 'failed']],
};
const NON_FINAL = ['requested', 'received', 'accepted', 'in-progress', 'on-hold'];

const scenario = fc.record({
  // Receiver moves made and delivered before the fork (the status both sides start from).
  before: fc.array(fc.nat(), { maxLength: 3 }),
  // Receiver moves made after the fork, concurrently with the sender's.
  concurrent: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  // The sender's concurrent change(s).
  sender: fc.constantFrom('withdraw', 'entered-in-error', 'withdraw+entered-in-error'),
  // The sender acts before its request was even delivered (the receiver's `received` is concurrent).
  beforeDelivery: fc.constantFrom(false, false, false, true),
  delivery: fc.constantFrom('sender-first' as const, 'receiver-first' as const, 'at-once' as const),
});

const NUM_RUNS = 60;

describe('concurrent status changes on both nodes', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]), { atina: { autoDispatch: false }, pvpt: { autoDispatch: false } });

  const move = async (node: TestNode, id: string, action: string) => {
    const res = await node.api('POST', `/v1/referrals/${id}/${action}`, action === 'reject' ? { reason: 'NO_CAPACITY' } : action === 'complete' ? { outcome: 'SERVICE_PROVIDED' } : {});
    expect(res.status, `${node.id} ${action}: ${JSON.stringify(res.body)}`).toBe(200);
  };
  const entry = (status: string): HistoryEntry => ({ status, by: 'pvpt', ...(status === 'rejected' ? { reason: 'NO_CAPACITY' } : status === 'completed' ? { reason: 'SERVICE_PROVIDED' } : {}) });
  const receiverMoves = (from: string, picks: number[]) => {
    const moves: Array<[string, string]> = [];
    let current = from;
    for (const pick of picks) {
      const options = RECEIVER_MOVES[current];
      if (!options) break;
      const chosen = options[pick % options.length]!;
      moves.push(chosen);
      current = chosen[1];
    }
    return { moves, current };
  };

  it(`end with the same status and history, the sender's change winning, nothing refused (${NUM_RUNS} runs)`, async () => {
    const tally = { runs: 0, concurrent: 0, beforeDelivery: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        tally.runs++;
        const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
        expect(created.status).toBe(201);
        const id = created.body.id as string;
        const expected: HistoryEntry[] = [{ status: 'requested', by: 'atina' }, { status: 'received', by: 'pvpt' }];
        let fork = 'requested';
        let receiver: Array<[string, string]> = [];
        if (!s.beforeDelivery) {
          await atina.node.dispatcher.processAll();
          const prefix = receiverMoves('received', s.before);
          for (const [action, status] of prefix.moves) {
            await move(pvpt, id, action);
            expected.push(entry(status));
          }
          await pvpt.node.dispatcher.processAll();
          fork = prefix.current;
          // The concurrent receiver moves, made before anything from the sender arrives.
          receiver = receiverMoves(fork, s.concurrent).moves;
          for (const [action, status] of receiver) {
            await move(pvpt, id, action);
            expected.push(entry(status));
          }
        } else tally.beforeDelivery++;
        const senderActions = s.sender.split('+').filter((a) => a === 'entered-in-error' || NON_FINAL.includes(fork));
        for (const action of senderActions) {
          await move(atina, id, action);
          expected.push({ status: action === 'withdraw' ? 'cancelled' : 'entered-in-error', by: 'atina' });
        }
        if (receiver.length > 0 && senderActions.length > 0) tally.concurrent++;

        if (s.delivery === 'at-once') await Promise.all([atina.node.dispatcher.processAll(), pvpt.node.dispatcher.processAll()]);
        else {
          const [first, second] = s.delivery === 'sender-first' ? [atina, pvpt] : [pvpt, atina];
          await first.node.dispatcher.processAll();
          await second.node.dispatcher.processAll();
        }
        // At once, a receipt of the request can land after the other side has delivered: one more pass.
        await atina.node.dispatcher.processAll();
        await pvpt.node.dispatcher.processAll();

        const status = expected.at(-1)!.status;
        expect(await historyOf(atina, id), JSON.stringify(s)).toEqual(expected);
        expect(await historyOf(pvpt, id), JSON.stringify(s)).toEqual(expected);
        expect((await atina.api('GET', `/v1/referrals/${id}`)).body.status).toBe(status);
        expect((await pvpt.api('GET', `/v1/referrals/${id}`)).body.status).toBe(status);
        for (const node of [atina, pvpt]) {
          const sent = await node.node.ctx.db.select().from(outboxMessages).where(and(eq(outboxMessages.referralId, id)));
          expect(sent.map((m) => [m.type, m.status, m.attempts]), `${node.id} ${JSON.stringify(s)}`).toEqual(sent.map((m) => [m.type, 'delivered', 1]));
        }
      }),
      { numRuns: NUM_RUNS },
    );
    expect(tally.runs).toBe(NUM_RUNS);
    expect(tally.concurrent).toBeGreaterThan(0);
    expect(tally.beforeDelivery).toBeGreaterThan(0);
    console.log(`lifecycle concurrency property: ${JSON.stringify(tally)}`);
  }, 600_000);

  it('refuse with illegal_transition a change whose from is not a status its author could have been at', async () => {
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    const id = created.body.id as string;
    await atina.node.dispatcher.processAll();
    const refused = { status: 409, body: { code: 'illegal_transition' } };
    // pvpt never accepted, so it cannot have started from accepted.
    expect(await forgeStatus(pvpt, atina, id, { status: 'in-progress', from: 'accepted' })).toMatchObject(refused);
    // The table does not allow the change from its own from.
    expect(await forgeStatus(pvpt, atina, id, { status: 'accepted', from: 'requested' })).toMatchObject(refused);
    // atina never saw the referral on hold.
    expect(await forgeStatus(atina, pvpt, id, { status: 'entered-in-error', from: 'on-hold' })).toMatchObject(refused);
    const expected = [{ status: 'requested', by: 'atina' }, { status: 'received', by: 'pvpt' }];
    expect(await historyOf(atina, id)).toEqual(expected);
    expect(await historyOf(pvpt, id)).toEqual(expected);
  });
});
