import { and, eq, sql } from 'drizzle-orm';
import { currentKey, isCryptoError, sealMessage, sha256Digest, verifyReceipt } from '@bridge/crypto';
import { ReceiptResponse, problemCodes } from '@bridge/contract';
import { outboxMessages } from '../db/schema/index.ts';
import { appendAudit } from '../audit/append.ts';
import { epochSeconds } from '../clock.ts';
import { findPeer, peerEncryptionKey, type Peer } from '../peers/peers.ts';
import { refreshPeerKeys } from '../peers/keys.ts';
import { applyDead, applyDelivered } from './effects.ts';
import { afterFailure } from './backoff.ts';
import { claimable } from './claim.ts';
import type { NodeContext } from '../context.ts';
import { errorSummary } from '../log-safe.ts';

type OutboxRow = typeof outboxMessages.$inferSelect;

interface Claimed {
  row: OutboxRow;
  peer: Peer;
  sealed: string;
  digest: string;
  /** performance.now() at the claim, for the delivery duration (the context clock may be moved). */
  claimedAt: number;
}

/**
 * Delivers queued messages. A claim (SKIP LOCKED) seals the message, records its digest and takes a
 * lease in one short transaction; the HTTP call happens outside any transaction; the result is
 * recorded in another. A crash in between leaves a `sending` row whose lease runs out and is retried.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  /** Set by a wake-up that found every worker busy: the next worker to run dry looks once more. */
  private again = false;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly ctx: NodeContext) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.ctx.config.delivery.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /** Something may be due: add a worker (up to the concurrency), or tell a busy one to look again. */
  wake(): void {
    if (this.stopped) return;
    if (this.active < this.ctx.config.delivery.concurrency) this.spawn();
    else this.again = true;
  }

  /** Delivers every message that is due now, with every worker; tests use it to drain the outbox. */
  async processAll(): Promise<void> {
    while (this.active < this.ctx.config.delivery.concurrency && !this.stopped) this.spawn();
    await this.idle();
  }

  /** Stops taking new work and waits for the deliveries in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  private idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private spawn(): void {
    this.active++;
    void this.worker()
      .catch((err: unknown) => this.ctx.logger.error(errorSummary(err), 'dispatcher worker failed'))
      .finally(() => {
        this.active--;
        if (this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  private async worker(): Promise<void> {
    while (!this.stopped) {
      const claimed = await this.claimNext();
      if (!claimed) {
        if (!this.again) return;
        this.again = false;
        continue;
      }
      if ('skip' in claimed) {
        if (claimed.dead) this.ctx.metrics.deadLetters.inc({ peer: claimed.peer });
        continue;
      }
      await this.attempt(claimed);
    }
  }

  private async claimNext(): Promise<Claimed | { skip: true; dead: boolean; peer: string } | undefined> {
    const { ctx } = this;
    const claimedAt = performance.now();
    const now = ctx.clock.now();
    return ctx.db.transaction(async (tx) => {
      // One statement claims and reads the row: due (or its lease ran out), and nothing earlier of the
      // same referral still undelivered.
      const [row] = await tx
        .select()
        .from(outboxMessages)
        .where(
          sql`${claimable(outboxMessages, now)}
          and not exists (
            select 1 from outbox_messages p
            where p.referral_id = ${outboxMessages.referralId} and p.seq < ${outboxMessages.seq} and p.status <> 'delivered')`,
        )
        .orderBy(outboxMessages.nextAttemptAt, outboxMessages.createdAt)
        .limit(1)
        .for('update', { skipLocked: true });
      if (!row) return undefined;
      const id = row.id;
      const peer = await findPeer(tx, row!.peerNodeId);
      if (!peer || peer.status !== 'active') {
        const dead = await this.recordFailure(tx, row!, 'peer_not_active', now);
        return { skip: true as const, dead, peer: row!.peerNodeId };
      }
      const iat = epochSeconds(now);
      const sealed = await sealMessage(
        {
          iss: ctx.config.nodeId,
          aud: peer.nodeId,
          iat,
          exp: iat + ctx.config.acceptanceWindowSeconds,
          jti: row!.id,
          type: row!.type,
          referralId: row!.referralId!,
          seq: row!.seq,
          prev: row!.prev as `sha-256:${string}` | null,
          body: row!.body,
        },
        currentKey(ctx.config.keys.signing, now),
        peerEncryptionKey(peer, now),
      );
      const digest = sha256Digest(sealed);
      const leaseUntil = new Date(now.getTime() + 2 * ctx.config.delivery.requestTimeoutMs);
      const [claimedRow] = await tx
        .update(outboxMessages)
        .set({
          status: 'sending',
          leaseUntil,
          attempts: sql`${outboxMessages.attempts} + 1`,
          sentDigests: sql`array_append(${outboxMessages.sentDigests}, ${digest})`,
        })
        .where(eq(outboxMessages.id, id))
        .returning();
      return { row: claimedRow!, peer, sealed, digest, claimedAt };
    });
  }

  private async attempt({ row, peer, sealed, claimedAt }: Claimed): Promise<void> {
    const { ctx } = this;
    const { metrics } = ctx;
    let outcome: { receipt: string } | { error: string };
    try {
      const res = await fetch(peer.messagesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/jose', accept: 'application/json' },
        body: sealed,
        // A message goes to the pinned URL only, never where a redirect points.
        redirect: 'error',
        signal: AbortSignal.timeout(ctx.config.delivery.requestTimeoutMs),
      });
      const payload: unknown = await res.json().catch(() => undefined);
      if (res.ok) {
        const parsed = ReceiptResponse.safeParse(payload);
        outcome = parsed.success ? { receipt: parsed.data.receipt } : { error: 'receipt_invalid' };
      } else {
        outcome = { error: peerProblemCode(payload) ?? `http_${res.status}` };
      }
    } catch (err) {
      outcome = { error: networkErrorCode(err) };
    }
    const now = ctx.clock.now();
    if ('receipt' in outcome) {
      const receipt = outcome.receipt;
      try {
        const expectation = { iss: peer.nodeId, aud: ctx.config.nodeId, messageId: row.id, digests: row.sentDigests, issuerKeys: peer.jwks };
        const claims = await verifyReceipt(receipt, expectation).catch(async (err: unknown) => {
          // The peer may have rotated its signing key: learn it from the pinned JWKS URL, once.
          const refreshed = isCryptoError(err) ? await refreshPeerKeys(ctx, peer) : undefined;
          if (!refreshed) throw err;
          return verifyReceipt(receipt, { ...expectation, issuerKeys: refreshed });
        });
        await ctx.db.transaction(async (tx) => {
          const [delivered] = await tx
            .update(outboxMessages)
            .set({ status: 'delivered', receipt, receiptLogIndex: claims.logIndex, deliveredAt: now, leaseUntil: null, lastError: null })
            .where(and(eq(outboxMessages.id, row.id), sql`${outboxMessages.status} <> 'delivered'`))
            .returning();
          if (!delivered) return; // another replica recorded the same receipt first
          await appendAudit(tx, { type: 'message.delivered', actor: 'system', at: now, peerNodeId: peer.nodeId, referralId: row.referralId, messageId: row.id, digest: claims.digest, detail: { receiptLogIndex: claims.logIndex } });
          await applyDelivered(tx, ctx, delivered, claims);
        });
        metrics.deliveryAttempts.inc({ peer: peer.nodeId, outcome: 'delivered' });
        metrics.deliveries.inc({ peer: peer.nodeId, type: row.type });
        metrics.deliveryDuration.observe((performance.now() - claimedAt) / 1000);
        ctx.logger.info({ messageId: row.id, peer: peer.nodeId, type: row.type }, 'message delivered');
        return;
      } catch (err) {
        if (!isCryptoError(err)) throw err;
        outcome = { error: 'receipt_invalid' };
      }
    }
    ctx.logger.warn({ messageId: row.id, peer: peer.nodeId, error: outcome.error, attempts: row.attempts }, 'delivery failed');
    // Sealed to an encryption key the peer has retired: refresh its keys before the retry.
    if (outcome.error === 'message_decrypt_failed') await refreshPeerKeys(ctx, peer);
    metrics.deliveryAttempts.inc({ peer: peer.nodeId, outcome: 'failed' });
    const dead = await ctx.db.transaction((tx) => this.recordFailure(tx, row, outcome.error, now));
    if (dead) metrics.deadLetters.inc({ peer: peer.nodeId });
  }

  /** Records a failed attempt; true when it dead-lettered the message (counted once committed). */
  private async recordFailure(tx: Parameters<Parameters<NodeContext['db']['transaction']>[0]>[0], row: OutboxRow, error: string, now: Date): Promise<boolean> {
    const { delivery } = this.ctx.config;
    const { dead, nextAttemptAt } = afterFailure(row.attempts, row.deadlineAt, now, delivery);
    await tx
      .update(outboxMessages)
      .set({
        status: dead ? 'dead' : 'retrying',
        lastError: error,
        leaseUntil: null,
        nextAttemptAt,
      })
      .where(and(eq(outboxMessages.id, row.id), sql`${outboxMessages.status} <> 'delivered'`));
    if (dead) {
      await appendAudit(tx, { type: 'message.dead', actor: 'system', at: now, peerNodeId: row.peerNodeId, referralId: row.referralId, messageId: row.id, detail: { error, attempts: row.attempts } });
      await applyDead(tx, this.ctx, row, error);
      this.ctx.logger.error({ messageId: row.id, peer: row.peerNodeId, error }, 'message dead-lettered');
    }
    return dead;
  }
}

/** Only a known problem code from the peer is kept: never its free text. */
function peerProblemCode(payload: unknown): string | undefined {
  const code = (payload as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (problemCodes as readonly string[]).includes(code) ? code : undefined;
}

export function networkErrorCode(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ? `network_${e.cause.code}` : 'network_error';
}
