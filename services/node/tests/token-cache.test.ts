import { describe, expect, it } from 'vitest';
import { currentKey, signApiToken } from '@bridge/crypto';
import { createClient, tokenAudience } from '../src/clients/clients.ts';
import { usePair, type TestNode } from './support/nodes.ts';

/**
 * Verified bearer tokens are remembered (clients/auth.ts): what must still hold is that nothing
 * remembered outlives the token, its key or its client.
 */
describe('remembered bearer tokens', () => {
  let atina: TestNode;
  usePair((a) => (atina = a));

  const list = (token: string) => atina.api('GET', '/v1/referrals', undefined, token);

  it('are refused once their own lifetime is over', async () => {
    const { config, db } = atina.node.ctx;
    const now = new Date();
    const client = await createClient(db, config, { name: 'short-lived', scopes: ['referrals:read'], ttlDays: 1 }, 'test', now);
    const expiresAt = new Date((Math.floor(now.getTime() / 1000) + 2) * 1000);
    const token = await signApiToken(
      { clientId: client.id, scopes: ['referrals:read'], issuer: config.nodeId, audience: tokenAudience(config.nodeId), issuedAt: now, expiresAt },
      currentKey(config.keys.token, now),
    );
    expect((await list(token)).status).toBe(200);
    expect((await list(token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, expiresAt.getTime() - Date.now() + 100));
    expect((await list(token)).status).toBe(401);
  });

  it('are refused at once when their signing key is retired', async () => {
    const token = await atina.token(['referrals:read']);
    expect((await list(token)).status).toBe(200);
    expect((await list(token)).status).toBe(200);
    const { keys } = atina.node.ctx.config;
    const before = keys.token;
    atina.node.reloadKeys({ ...keys, token: before.map((k) => ({ ...k, validUntil: new Date(Date.now() - 1000).toISOString() })) });
    try {
      expect((await list(token)).status).toBe(401);
    } finally {
      atina.node.reloadKeys({ ...keys, token: before });
    }
    expect((await list(token)).status).toBe(200);
  });
});
