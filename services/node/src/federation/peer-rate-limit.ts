import { defaultLimits } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { BridgeError } from '../errors.ts';

const MINUTE_MS = 60_000;

/** Messages counted per peer in the current minute window, per node (several nodes share a test process). */
const windows = new WeakMap<NodeContext['config'], Map<string, { start: number; count: number }>>();

/**
 * Per authenticated peer: once a message has verified, its issuer is known, and one peer must not
 * take the capacity every other peer shares. Over the budget the message is refused with 429
 * `rate_limited` before anything is stored; the sender keeps it in its outbox and retries.
 * In memory, per process, like the per-client limit: replicas each grant the budget.
 */
export function takePeerMessageBudget(ctx: Pick<NodeContext, 'config' | 'clock'>, peer: string): void {
  const max = ctx.config.limits.peerMessagesPerMinute ?? defaultLimits.peerMessagesPerMinute;
  let peers = windows.get(ctx.config);
  if (!peers) windows.set(ctx.config, (peers = new Map()));
  const now = ctx.clock.now().getTime();
  let window = peers.get(peer);
  if (!window || now - window.start >= MINUTE_MS) peers.set(peer, (window = { start: now, count: 0 }));
  if (window.count >= max) {
    const retryAfter = Math.max(1, Math.ceil((window.start + MINUTE_MS - now) / 1000));
    const error = new BridgeError(429, 'rate_limited', `this peer sent more than ${max} messages this minute; retry after ${retryAfter} seconds`);
    error.retryAfterSeconds = retryAfter;
    throw error;
  }
  window.count++;
}
