import { demoReferral } from '../../src/demo/scenario.ts';

export interface LoadResult {
  /** Idempotency key → referral id, for every request that got its 2xx. */
  accepted: Map<string, string>;
  /** Keys whose withdrawal got its 2xx as well. */
  withdrawn: Set<string>;
  attempts: number;
  failures: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POSTs until a 2xx, as a careful client does: same Idempotency-Key on every retry. */
async function untilAccepted(url: string, init: RequestInit, deadline: number, stats: { attempts: number; failures: number }): Promise<any> {
  for (;;) {
    stats.attempts++;
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
      const body = await res.json().catch(() => undefined);
      if (res.ok) return body;
      if (res.status < 500 && res.status !== 409 && res.status !== 429) throw new Error(`refused ${res.status} ${JSON.stringify(body)}`);
    } catch (err) {
      if ((err as Error).message.startsWith('refused')) throw err;
    }
    stats.failures++;
    if (Date.now() > deadline) throw new Error(`gave up on ${url}`);
    await sleep(100);
  }
}

/**
 * Submits `count` referrals with `concurrency` clients; every `withdrawEvery`-th is then withdrawn,
 * so some referrals carry two messages whose order matters.
 */
export async function submitReferrals(baseUrl: string, token: string, count: number, options: { concurrency?: number; withdrawEvery?: number; deadlineMs?: number; prefix?: string; progress?: LoadProgress } = {}): Promise<LoadResult> {
  const { concurrency = 8, withdrawEvery = 0, deadlineMs = 60_000, prefix = 'load', progress } = options;
  const result: LoadResult = { accepted: new Map(), withdrawn: new Set(), attempts: 0, failures: 0 };
  const deadline = Date.now() + deadlineMs;
  const headers = (key: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const key = `${prefix}-${i}`;
        const created = await untilAccepted(`${baseUrl}/v1/referrals`, { method: 'POST', headers: headers(key), body: JSON.stringify(demoReferral(new Date())) }, deadline, result);
        result.accepted.set(key, created.id);
        if (progress) progress.accepted = result.accepted.size;
        if (withdrawEvery > 0 && i % withdrawEvery === 0) {
          await untilAccepted(`${baseUrl}/v1/referrals/${created.id}/withdraw`, { method: 'POST', headers: headers(`${key}-withdraw`), body: JSON.stringify({ reason: 'PERSON_DECLINED' }) }, deadline, result);
          result.withdrawn.add(key);
        }
      }
    }),
  );
  if (progress) progress.done = true;
  return result;
}

/** How far a running `submitReferrals` has got, so a test can inject a fault mid-flow, not by the clock. */
export interface LoadProgress {
  accepted: number;
  done: boolean;
}

export const newProgress = (): LoadProgress => ({ accepted: 0, done: false });

/**
 * Resolves once `n` referrals have been accepted, with whether the load was still running then
 * (false means it finished first: a fault injected now would not land mid-flow).
 */
export async function whenAccepted(progress: LoadProgress, n: number): Promise<boolean> {
  while (progress.accepted < n && !progress.done) await sleep(5);
  return !progress.done;
}
