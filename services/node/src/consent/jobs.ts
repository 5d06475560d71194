import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { referrals } from '../db/schema/index.ts';
import { FINAL_STATUSES } from '../referrals/withdraw-referral.ts';
import { defaultRetention } from '../config.ts';
import { errorSummary } from '../log-safe.ts';
import type { NodeContext } from '../context.ts';
import { eraseAndConfirm, erasePersonalData } from './erasure.ts';

export interface SweepResult {
  /** Inbound referrals whose consent expired: erased and confirmed to the sender. */
  expired: number;
  /** Closed referrals (either direction) past the retention period: personal data purged. */
  purged: number;
}

/**
 * The periodic erasure jobs of a node, on its own clock: consent expiry (receiver side) and the
 * retention of closed referrals (both sides). Each referral is handled in its own transaction, so one
 * failure never holds back the rest; `runOnce` is what the timer calls and what tests call.
 */
export class ErasureJobs {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;

  constructor(private readonly ctx: NodeContext) {}

  start(): void {
    const every = (this.ctx.config.retention ?? defaultRetention).sweepIntervalMs;
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.ctx.logger.error(errorSummary(err), 'erasure sweep failed'));
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  runOnce(): Promise<SweepResult> {
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<SweepResult> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const expiredIds = await ctx.db
      .select({ id: referrals.id })
      .from(referrals)
      .where(and(eq(referrals.direction, 'inbound'), isNull(referrals.erasedAt), sql`(${referrals.consent}->>'validUntil')::timestamptz <= ${now}`));
    let expired = 0;
    for (const { id } of expiredIds) {
      const done = await ctx.db.transaction(async (tx) => {
        const [row] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
        if (!row || row.erasedAt !== null) return false;
        await eraseAndConfirm(tx, ctx, row, 'CONSENT_EXPIRED', 'system', now);
        return true;
      });
      if (done) expired++;
    }
    const retentionMs = (ctx.config.retention ?? defaultRetention).closedReferralMs;
    const closedBefore = new Date(now.getTime() - retentionMs);
    const closedIds = await ctx.db
      .select({ id: referrals.id })
      .from(referrals)
      .where(and(inArray(referrals.status, [...FINAL_STATUSES]), isNull(referrals.erasedAt), lte(referrals.updatedAt, closedBefore)));
    let purged = 0;
    for (const { id } of closedIds) {
      const done = await ctx.db.transaction(async (tx) => {
        const [row] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
        if (!row || row.erasedAt !== null || !FINAL_STATUSES.has(row.status) || row.updatedAt > closedBefore) return false;
        await erasePersonalData(tx, ctx, row, 'RETENTION', 'system', now);
        return true;
      });
      if (done) purged++;
    }
    if (expired + purged > 0) ctx.logger.info({ expired, purged }, 'erasure sweep');
    return { expired, purged };
  }
}
