import { and, eq, isNull } from 'drizzle-orm';
import { referrals } from '../db/schema/index.ts';
import { recordEvent } from '../events/record.ts';
import { errorSummary } from '../log-safe.ts';
import type { NodeContext } from '../context.ts';
import { deadlineView, overdueAt } from './queries.ts';
import { toReferral } from './view.ts';

/** How often the node looks for referrals that have just become overdue. */
export const OVERDUE_SWEEP_MS = 60_000;

/**
 * The periodic deadline job of a node, on its own clock: a referral still `requested` or `received`
 * after its response deadline gets one `referral.overdue` event (feed and webhooks), and
 * `overdue_flagged_at` so it never gets a second. Same shape as the erasure jobs: each referral in its
 * own transaction, `runOnce` is what the timer calls and what tests call.
 */
export class OverdueJobs {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly ctx: NodeContext) {}

  start(): void {
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.ctx.logger.error(errorSummary(err), 'overdue sweep failed'));
    }, OVERDUE_SWEEP_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Resolves to the number of referrals flagged by this run. */
  runOnce(): Promise<number> {
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    const { ctx } = this;
    const view = deadlineView(ctx);
    const due = await ctx.db.select({ id: referrals.id }).from(referrals).where(and(isNull(referrals.overdueFlaggedAt), overdueAt(view)));
    let flagged = 0;
    for (const { id } of due) {
      const done = await ctx.db.transaction(async (tx) => {
        const [row] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
        // Answered (or flagged by a concurrent run) since the query: nothing to say.
        if (!row || row.overdueFlaggedAt !== null || !toReferral(row, [], view).overdue) return false;
        await tx.update(referrals).set({ overdueFlaggedAt: view.now }).where(eq(referrals.id, id));
        await recordEvent(tx, ctx, { type: 'referral.overdue', referralId: id, direction: row.direction, peer: row.peerNodeId, status: row.status });
        return true;
      });
      if (done) flagged++;
    }
    if (flagged > 0) ctx.logger.info({ flagged }, 'overdue sweep');
    return flagged;
  }
}
