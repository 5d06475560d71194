import { desc } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { auditEvents, inboundMessages, referrals, referralStatusHistory } from '../../src/db/schema/index.ts';
import { demoReferral } from '../../src/demo/scenario.ts';
import { disclose } from '../../src/consent/disclosure.ts';
import type { TestNode } from './nodes.ts';

/** A valid referral.request body addressed to `to`. */
export function requestBody(to: string): Record<string, unknown> {
  const { recipient: _r, person, consent, note, ...rest } = demoReferral(new Date());
  const addressed = { ...consent, recipient: to };
  return { ...rest, ...disclose(person, note, rest.services, addressed, randomBytes(32).toString('base64url')), consent: addressed };
}

export interface Snapshot {
  inbound: number;
  referrals: number;
  history: number;
  audit: number;
}

export async function snapshot(node: TestNode): Promise<Snapshot> {
  const { db } = node.node.ctx;
  return {
    inbound: await db.$count(inboundMessages),
    referrals: await db.$count(referrals),
    history: await db.$count(referralStatusHistory),
    audit: await db.$count(auditEvents),
  };
}

export async function latestAudit(node: TestNode) {
  const [row] = await node.node.ctx.db.select().from(auditEvents).orderBy(desc(auditEvents.idx)).limit(1);
  return row!;
}
