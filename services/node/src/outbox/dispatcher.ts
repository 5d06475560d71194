import { and, eq, sql } from 'drizzle-orm';
import { mapRows, selectList, statementName } from '../db/statement.ts';
import { preparedQuery } from '../db/client.ts';
import { peerAgents, postOutbound } from '../http/outbound.ts';
import { currentKey, isCryptoError, sealMessage, sha256Digest, verifyReceipt } from '@bridge/crypto';
import { ReceiptResponse, problemCodes } from '@bridge/contract';
import { outboxMessages } from '../db/schema/index.ts';
import { appendAudit } from '../audit/append.ts';
import { epochSeconds } from '../clock.ts';
import { heldPeer, peerEncryptionKey, type Peer } from '../peers/peers.ts';
import { refreshPeerKeys } from '../peers/keys.ts';
import { applyDead } from './effects.ts';
import { DeliveryRecorder } from './recorder.ts';
import { afterFailure } from './backoff.ts';
import { isFinalRefusal } from './final-refusals.ts';
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

const CLAIM_SQL = `
  update outbox_messages o
     set status = 'sending', lease_until = $2::timestamptz, next_attempt_at = $2::timestamptz, attempts = o.attempts + 1
   where o.id in (
     select due.id from outbox_messages due
      where due.status in ('queued', 'sending', 'retrying') and due.next_attempt_at <= $1::timestamptz
        and (due.status <> 'sending' or due.lease_until < $1::timestamptz)
        and not exists (
          select 1 from outbox_messages p
           where p.referral_id = due.referral_id and p.seq < due.seq and p.status not in ('delivered', 'discarded'))
      order by due.next_attempt_at, due.created_at
      limit $3
      for update of due skip locked)
  returning ${selectList(outboxMessages, 'o')}`;
const CLAIM_NAME = statementName(CLAIM_SQL);

/** Messages claimed by one statement; the deliveries of a batch run concurrently. */
const DEFAULT_BATCH_SIZE = 16;

/**
 * Delivers queued messages. A claim takes a lease on a batch of due messages in one statement
 * (SKIP LOCKED, so replicas sharing the database never claim the same row; only the earliest
 * undelivered message of a referral is ever due); each message is then sealed and the digest of
 * every sealed copy is committed, in one statement for the batch, before any copy is sent; the
 * HTTP calls happen outside any transaction; verified receipts are recorded in one transaction
 * per group (see DeliveryRecorder). A crash in between leaves `sending` rows whose lease runs out
 * and which are retried; the peer then answers with its original receipt.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  /** Workers running a claim statement right now. */
  private claiming = 0;
  /**
   * Set by a wake-up that did not start a worker (every worker busy, or one already claiming: its
   * claim may have missed what woke us): a worker looks once more before it stops.
   */
  private again = false;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  private readonly recorder: DeliveryRecorder;

  constructor(private readonly ctx: NodeContext) {
    this.recorder = new DeliveryRecorder(ctx);
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.ctx.config.delivery.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /**
   * Something may be due: add a worker (up to the concurrency), or tell a busy one to look again.
   * One commit wakes us twice (its route, then its NOTIFY): a worker already claiming covers both.
   */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming === 0 && this.active < this.ctx.config.delivery.concurrency) this.spawn();
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
    const batchSize = this.ctx.config.delivery.batchSize ?? DEFAULT_BATCH_SIZE;
    while (!this.stopped) {
      // This claim sees every commit whose wake-up came before it, so earlier wake-ups are served.
      this.again = false;
      this.claiming++;
      let batch: { claimed: Claimed[]; taken: number };
      try {
        batch = await this.claimBatch(batchSize);
      } finally {
        this.claiming--;
      }
      const successors = await Promise.all(batch.claimed.map((c) => this.attempt(c)));
      // A short batch drained the queue as it stood, and anything committed since has woken us;
      // but a delivered message may have made the next one of its referral due.
      if (batch.taken < batchSize && !successors.includes(true) && !this.again) return;
    }
  }

  /**
   * Claims up to a batch of due messages, seals them, and commits their digests before any is sent.
   * `taken` counts the rows the claim statement took, sealed or not.
   */
  private async claimBatch(batchSize: number): Promise<{ claimed: Claimed[]; taken: number }> {
    const { ctx } = this;
    const claimedAt = performance.now();
    const now = ctx.clock.now();
    const nowIso = now.toISOString();
    const leaseUntil = new Date(now.getTime() + 2 * ctx.config.delivery.requestTimeoutMs);
    // Due (a `sending` row is due once its lease ran out: its next_attempt_at is the lease), and
    // nothing earlier of the same referral still undelivered, so seq n+1 never leaves before n.
    // Prepared: it runs on every wake-up, and PostgreSQL spent as long planning it as running it.
    const rows = mapRows<OutboxRow>(
      outboxMessages,
      await preparedQuery<Record<string, unknown>>(ctx.db, CLAIM_NAME, CLAIM_SQL, [nowIso, leaseUntil.toISOString(), batchSize]),
    );
    if (rows.length === 0) return { claimed: [], taken: 0 };
    rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

    // From the row cache when it holds the peer, as the integration API and the receiving side
    // read peers: a change made through this process clears it at once, one made by another
    // replica or by hand when its NOTIFY arrives (at most 5 s if that were lost; db/row-cache.ts).
    // A miss is read here, on the delivery pool, never waiting on a read in flight on the main one.
    const ids = [...new Set(rows.map((r) => r.peerNodeId))];
    const found = await Promise.all(ids.map((id) => heldPeer(ctx, id, ctx.db)));
    const peersById = new Map(ids.map((id, i) => [id, found[i]]));
    const sealed: Claimed[] = [];
    for (const row of rows) {
      const peer = peersById.get(row.peerNodeId);
      if (!peer || peer.status !== 'active') {
        const dead = await ctx.db.transaction((tx) => this.recordFailure(tx, row, 'peer_not_active', now));
        if (dead) ctx.metrics.deadLetters.inc({ peer: row.peerNodeId });
        continue;
      }
      const iat = epochSeconds(now);
      const copy = await sealMessage(
        {
          iss: ctx.config.nodeId,
          aud: peer.nodeId,
          iat,
          exp: iat + ctx.config.acceptanceWindowSeconds,
          jti: row.id,
          type: row.type,
          referralId: row.referralId!,
          seq: row.seq,
          prev: row.prev as `sha-256:${string}` | null,
          body: row.body,
        },
        currentKey(ctx.config.keys.signing, now),
        peerEncryptionKey(peer, now),
      );
      const digest = sha256Digest(copy);
      sealed.push({ row: { ...row, sentDigests: [...row.sentDigests, digest] }, peer, sealed: copy, digest, claimedAt });
    }
    if (sealed.length === 0) return { claimed: [], taken: rows.length };
    // Only copies whose digest is committed may leave: a receipt for any of them is then recognised.
    // The lease check keeps a row another dispatcher took over (our lease ran out) from being sent twice.
    const recorded = await ctx.db.execute<{ id: string }>(sql`
      update outbox_messages o set sent_digests = array_append(o.sent_digests, v.digest)
      from (values ${sql.join(
        sealed.map((c) => sql`(${c.row.id}::uuid, ${c.digest}::text)`),
        sql`, `,
      )}) as v(id, digest)
      where o.id = v.id and o.status = 'sending' and o.lease_until = ${leaseUntil.toISOString()}::timestamptz
      returning o.id`);
    const mine = new Set(recorded.rows.map((r) => r.id));
    return { claimed: sealed.filter((c) => mine.has(c.row.id)), taken: rows.length };
  }

  /** One delivery attempt; true when it delivered a message that a later one of its referral waited for. */
  private async attempt({ row, peer, sealed, claimedAt }: Claimed): Promise<boolean> {
    const { ctx } = this;
    const { metrics } = ctx;
    let outcome: { receipt: string } | { error: string };
    try {
      // A message goes to the pinned URL only, never where a redirect points.
      const res = await postOutbound(peer.messagesUrl, sealed, { 'content-type': 'application/jose', accept: 'application/json' }, {
        timeoutMs: ctx.config.delivery.requestTimeoutMs,
        maxResponseBytes: MAX_ANSWER_BYTES,
        // Over https: this node's client certificate, and only the peer's pinned one accepted.
        agents: peerAgents(ctx.config),
        pins: peer.tlsCertificates,
      });
      const payload = parseJson(res.text);
      if (res.status >= 200 && res.status < 300) {
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
        const hasSuccessor = await this.recorder.record({ row, peerNodeId: peer.nodeId, receipt, claims, at: now });
        metrics.deliveryAttempts.inc({ peer: peer.nodeId, outcome: 'delivered' });
        metrics.deliveries.inc({ peer: peer.nodeId, type: row.type });
        metrics.deliveryDuration.observe((performance.now() - claimedAt) / 1000);
        ctx.logger.info({ messageId: row.id, peer: peer.nodeId, type: row.type }, 'message delivered');
        return hasSuccessor;
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
    return false;
  }

  /**
   * Records a failed attempt; true when it dead-lettered the message (counted once committed): past
   * its deadline, or at once when the peer refused it for good (final-refusals.ts), with an alert.
   */
  private async recordFailure(tx: Parameters<Parameters<NodeContext['db']['transaction']>[0]>[0], row: OutboxRow, error: string, now: Date): Promise<boolean> {
    const { delivery } = this.ctx.config;
    const final = isFinalRefusal(error);
    const { dead: expired, nextAttemptAt } = afterFailure(row.attempts, row.deadlineAt, now, delivery);
    const dead = final || expired;
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
      await appendAudit(tx, { type: 'message.dead', actor: 'system', at: now, peerNodeId: row.peerNodeId, referralId: row.referralId, messageId: row.id, detail: { error, attempts: row.attempts, ...(final ? { final: true, alert: true } : {}) } });
      await applyDead(tx, this.ctx, row, error, final);
      this.ctx.logger.error({ messageId: row.id, peer: row.peerNodeId, error, final }, final ? 'message refused for good; dead-lettered' : 'message dead-lettered');
    }
    return dead;
  }
}

/** Only a known problem code from the peer is kept: never its free text. */
function peerProblemCode(payload: unknown): string | undefined {
  const code = (payload as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (problemCodes as readonly string[]).includes(code) ? code : undefined;
}

/** A peer's answer is a receipt or a problem: a few kilobytes at most. */
const MAX_ANSWER_BYTES = 64 * 1024;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A failed request as a stable code: `timeout`, or `network_<code>` (ECONNREFUSED, ECONNRESET, …). */
export function networkErrorCode(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const code = e?.cause?.code ?? e?.code;
  return code && /^[A-Z0-9_]{1,40}$/.test(code) ? `network_${code}` : 'network_error';
}
