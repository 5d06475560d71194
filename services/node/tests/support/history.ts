import pg from 'pg';
import type { LoadResult } from './load.ts';

export interface History {
  accepted: number;
  delivered: number;
  duplicates: number;
  outOfOrder: number;
  unexpected: number;
  undelivered: number;
}

async function rows<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * The fault tests' history check: every referral that got its 2xx reached the receiver exactly
 * once per message, in order; nothing else did.
 */
export async function checkHistory(load: LoadResult, senderDb: string, receiverDb: string, sender: string): Promise<History> {
  const expected = new Map<string, number>();
  for (const [key, id] of load.accepted) expected.set(id, load.withdrawn.has(key) ? 2 : 1);
  const received = await rows<{ referral_id: string; seq: number; n: number; first_at: Date }>(
    receiverDb,
    `select referral_id, seq, count(*)::int as n, min(received_at) as first_at from inbound_messages where issuer = '${sender}' group by referral_id, seq`,
  );
  const applied = await rows<{ message_id: string; n: number }>(receiverDb, `select message_id, count(*)::int as n from audit_events where type = 'message.received' group by message_id`);
  const senderReferrals = await rows<{ id: string }>(senderDb, `select id from referrals where direction = 'outbound'`);
  const bySeq = new Map<string, Map<number, Date>>();
  let duplicates = 0;
  for (const r of received) {
    if (r.n > 1) duplicates += r.n - 1;
    if (!bySeq.has(r.referral_id)) bySeq.set(r.referral_id, new Map());
    bySeq.get(r.referral_id)!.set(r.seq, r.first_at);
  }
  duplicates += applied.filter((a) => a.n > 1).reduce((sum, a) => sum + a.n - 1, 0);
  let delivered = 0;
  let undelivered = 0;
  let outOfOrder = 0;
  for (const [id, messages] of expected) {
    const seen = bySeq.get(id);
    const count = seen ? [...seen.keys()].filter((s) => s <= messages).length : 0;
    delivered += count;
    undelivered += messages - count;
    if (seen && messages === 2 && seen.get(2) && seen.get(1) && seen.get(2)! < seen.get(1)!) outOfOrder++;
  }
  const unexpected = [...bySeq.keys()].filter((id) => !expected.has(id)).length + senderReferrals.filter((r) => !expected.has(r.id)).length;
  return { accepted: load.accepted.size, delivered, duplicates, outOfOrder, unexpected, undelivered };
}
