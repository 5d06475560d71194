import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStorableText, Outcome, RejectionReason } from '@bridge/contract';
import { type TestNode, usePair } from './support/nodes.ts';
import { unstorableText } from './support/unstorable.ts';
import { ACTIONS, type Action, deliveredReferral, forgeStatus, type HistoryEntry, historyOf, waitForHistory } from './support/lifecycle.ts';

/**
 * The oracle: DESIGN §5 written out again, independently of src/referrals/lifecycle.ts, so a wrong
 * entry in the node's table shows up as a disagreement. atina sends, pvpt receives.
 */
const WORKING = ['accepted', 'in-progress', 'on-hold'];
const ALLOWED: Record<string, { by: 'atina' | 'pvpt'; from: string[] }> = {
  accepted: { by: 'pvpt', from: ['received'] },
  rejected: { by: 'pvpt', from: ['received'] },
  'in-progress': { by: 'pvpt', from: WORKING },
  'on-hold': { by: 'pvpt', from: WORKING },
  completed: { by: 'pvpt', from: ['in-progress', 'on-hold'] },
  failed: { by: 'pvpt', from: ['in-progress', 'on-hold'] },
  cancelled: { by: 'atina', from: ['requested', 'received', 'accepted', 'in-progress', 'on-hold'] },
  'entered-in-error': { by: 'atina', from: ['requested', 'received', 'accepted', 'in-progress', 'on-hold', 'rejected', 'completed', 'failed', 'cancelled'] },
};
const legal = (node: string, status: string, current: string) => ALLOWED[status]!.by === node && ALLOWED[status]!.from.includes(current);

/** Every (node, action) the oracle allows from `current` (or, with `allowed` false, refuses). */
function moves(current: string, allowed: boolean): Array<{ node: 'atina' | 'pvpt'; action: Action }> {
  return (Object.keys(ACTIONS) as Action[]).flatMap((action) =>
    (['atina', 'pvpt'] as const).filter((node) => legal(node, ACTIONS[action], current) === allowed).map((node) => ({ node, action })),
  );
}

const attempt = fc.record({
  // Half the attempts pick one of the moves legal right now (`pick` chooses which), so runs get deep
  // into the lifecycle; a quarter pick one of the illegal ones, so every wrong entry gets tried; the
  // rest are any action by any node.
  mode: fc.constantFrom('legal' as const, 'legal' as const, 'illegal' as const, 'any' as const),
  pick: fc.nat(),
  node: fc.constantFrom('atina' as const, 'pvpt' as const),
  action: fc.constantFrom(...(Object.keys(ACTIONS) as Action[])),
  code: fc.nat(),
  // Now and then a note the contract cannot carry (a NUL, an unpaired surrogate): refused before any transition.
  note: fc.option(
    fc.oneof({ arbitrary: fc.constantFrom('Beleška: š, đ, č, ć, ž.', 'Белешка о случају.', 'Shënim: ë, ç.'), weight: 5 }, { arbitrary: unstorableText, weight: 1 }),
    { nil: undefined },
  ),
  // A forged attempt is a referral.status message signed with the node's real key, posted straight to
  // the other node: it must be refused just as the node's own endpoint refuses the same change.
  forged: fc.boolean(),
});
type Attempt = typeof attempt extends fc.Arbitrary<infer A> ? A : never;

const NUM_RUNS = 50;
const MAX_ATTEMPTS = 12;

describe('random sequences of lifecycle transitions through both nodes', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it(`leave both nodes with the same status history and refuse every illegal attempt with illegal_transition (${NUM_RUNS} runs)`, async () => {
    const tally = { runs: 0, attempts: 0, applied: 0, refused: 0, forgedRefused: 0, unstorable: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(attempt, { minLength: 1, maxLength: MAX_ATTEMPTS }), async (attempts) => {
        tally.runs++;
        const id = await deliveredReferral(atina, pvpt);
        const expected: HistoryEntry[] = [{ status: 'requested', by: 'atina' }, { status: 'received', by: 'pvpt' }];
        let current = 'received';
        for (const drawn of attempts) {
          tally.attempts++;
          const a = pickMove(drawn, current);
          const status = ACTIONS[a.action];
          const reason = status === 'rejected' ? RejectionReason.options[a.code % RejectionReason.options.length] : status === 'completed' ? Outcome.options[a.code % Outcome.options.length] : undefined;
          const ok = legal(a.node, status, current);
          const [self, other] = a.node === 'atina' ? [atina, pvpt] : [pvpt, atina];
          if (a.forged) {
            // Only illegal changes are forged: a legal one would take the seq its real sender will use.
            if (ok || status === 'cancelled') continue;
            const res = await forgeStatus(self, other, id, { status, ...(reason ? { reason } : {}) });
            expect(res, label(a, current)).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
            tally.forgedRefused++;
            continue;
          }
          const res = await self.api('POST', `/v1/referrals/${id}/${a.action}`, body(a, reason));
          if (a.note !== undefined && !isStorableText(a.note)) {
            // Whether the move is legal or not: the text is refused at the edge, and nothing changes.
            expect(res, label(a, current)).toMatchObject({ status: 400, body: { code: 'validation_failed', errors: [{ path: '/body/note' }] } });
            tally.unstorable++;
            continue;
          }
          if (!ok) {
            expect(res, label(a, current)).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
            tally.refused++;
            continue;
          }
          expect(res.status, `${label(a, current)}: ${JSON.stringify(res.body)}`).toBe(200);
          tally.applied++;
          current = status;
          expected.push({ status, by: a.node, ...(reason ? { reason } : {}), ...(a.note ? { note: a.note } : {}) });
          // Delivered before the next attempt: each node decides on the same current status.
          await waitForHistory(other, id, expected.length);
        }
        expect(await historyOf(atina, id)).toEqual(expected);
        expect(await historyOf(pvpt, id)).toEqual(expected);
        expect((await atina.api('GET', `/v1/referrals/${id}`)).body.status).toBe(current);
        expect((await pvpt.api('GET', `/v1/referrals/${id}`)).body.status).toBe(current);
      }),
      { numRuns: NUM_RUNS },
    );
    // The property exercised both outcomes, not only refusals.
    expect(tally.runs).toBe(NUM_RUNS);
    expect(tally.applied).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.forgedRefused).toBeGreaterThan(0);
    expect(tally.unstorable).toBeGreaterThan(0);
    console.log(`lifecycle property: ${JSON.stringify(tally)}`);
  }, 600_000);
});

function pickMove(drawn: Attempt, current: string): Attempt {
  if (drawn.mode === 'any') return drawn;
  const candidates = moves(current, drawn.mode === 'legal');
  // Only entered-in-error has nothing legal after it; then anything goes.
  if (candidates.length === 0) return drawn;
  return { ...drawn, ...candidates[drawn.pick % candidates.length]!, forged: drawn.mode === 'illegal' && drawn.forged };
}

function body(a: Attempt, reason: string | undefined): Record<string, unknown> {
  const note = a.note === undefined ? {} : { note: a.note };
  if (a.action === 'reject') return { reason, ...note };
  if (a.action === 'complete') return { outcome: reason, ...note };
  return note;
}

function label(a: Attempt, current: string): string {
  return `${a.forged ? 'forged ' : ''}${a.action} by ${a.node} from ${current}`;
}
