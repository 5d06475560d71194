import { eq } from 'drizzle-orm';
import { selectWhereEq } from '../db/statement.ts';
import { rowsChanged } from '../db/row-cache.ts';
import { currentKey, signApiToken } from '@bridge/crypto';
import { apiClients } from '../db/schema/index.ts';
import type { Database } from '../db/client.ts';
import type { NodeConfig } from '../config.ts';
import { appendAudit } from '../audit/append.ts';
import { newId } from '../clock.ts';
import { BridgeError } from '../errors.ts';

export const SCOPES = ['referrals:read', 'referrals:write', 'audit:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const tokenAudience = (nodeId: string) => `${nodeId}:api`;

export interface NewClient {
  name: string;
  scopes: Scope[];
  ttlDays: number;
}

/** Registers a client and returns its bearer token; the token is shown once and never stored. */
export async function createClient(db: Database, config: Pick<NodeConfig, 'nodeId' | 'keys'>, input: NewClient, actor: string, now: Date) {
  const id = newId();
  const expiresAt = new Date(now.getTime() + input.ttlDays * 86_400_000);
  await db.transaction(async (tx) => {
    await tx.insert(apiClients).values({ id, name: input.name, scopes: input.scopes, createdAt: now, expiresAt });
    await appendAudit(tx, { type: 'client.created', actor, at: now, detail: { clientId: id, scopes: input.scopes.join(' ') } });
  });
  rowsChanged(db, 'api_clients');
  const token = await signApiToken(
    { clientId: id, scopes: input.scopes, issuer: config.nodeId, audience: tokenAudience(config.nodeId), issuedAt: now, expiresAt },
    currentKey(config.keys.token, now),
  );
  return { id, expiresAt, token };
}

export async function listClients(db: Database) {
  return db.select().from(apiClients).orderBy(apiClients.createdAt);
}

export async function revokeClient(db: Database, id: string, actor: string, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.update(apiClients).set({ revokedAt: now }).where(eq(apiClients.id, id)).returning({ id: apiClients.id });
    if (!row) throw new BridgeError(404, 'not_found', 'no such client');
    await appendAudit(tx, { type: 'client.revoked', actor, at: now, detail: { clientId: id } });
  });
  rowsChanged(db, 'api_clients');
}

export type ApiClient = typeof apiClients.$inferSelect;

export async function findClient(db: Database, id: string): Promise<ApiClient | undefined> {
  const [row] = await selectWhereEq<ApiClient>(db, apiClients, apiClients.id, id);
  return row;
}
