import type { ReceiptClaims } from '@bridge/crypto';
import type { outboxMessages } from '../db/schema/index.ts';
import type { NodeContext } from '../context.ts';
import { errorSummary } from '../log-safe.ts';
import { recordDelivered } from './effects.ts';
import { pipelinedTransaction } from '../db/client.ts';

/** A message whose receipt has verified, to be recorded as delivered. */
export interface VerifiedDelivery {
  row: typeof outboxMessages.$inferSelect;
  peerNodeId: string;
  receipt: string;
  claims: ReceiptClaims;
  at: Date;
}

/** At most this many deliveries share one transaction. */
const MAX_GROUP = 64;

/**
 * Records verified receipts. Deliveries that complete while a group is being committed wait and
 * are committed together in the next transaction (group commit): nothing waits when the node is
 * quiet, and under load one transaction carries many. `record` resolves once its delivery is
 * committed; when a group fails, its deliveries are retried one transaction each, so one bad row
 * cannot hold back the others (an uncommitted delivery stays `sending` and is retried after its
 * lease, the peer answering with its original receipt).
 */
export class DeliveryRecorder {
  private pending: Array<{ delivery: VerifiedDelivery; resolve: (hasSuccessor: boolean) => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  constructor(private readonly ctx: NodeContext) {}

  /** Resolves once committed: true when a later message of the same referral waits in the outbox. */
  record(delivery: VerifiedDelivery): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ delivery, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, MAX_GROUP);
        try {
          const successors = await pipelinedTransaction(this.ctx.db, (t) => recordDelivered(t, this.ctx, group.map((g) => g.delivery)));
          for (const g of group) g.resolve(successors.has(g.delivery.row.id));
        } catch (err) {
          if (group.length === 1) {
            group[0]!.reject(err);
            continue;
          }
          this.ctx.logger.warn({ ...errorSummary(err), deliveries: group.length }, 'recording a group of deliveries failed; recording them one by one');
          for (const g of group) {
            await pipelinedTransaction(this.ctx.db, (t) => recordDelivered(t, this.ctx, [g.delivery])).then((successors) => g.resolve(successors.size > 0), g.reject);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
