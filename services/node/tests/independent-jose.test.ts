import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { compactDecrypt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peers } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { startPair, type TestNode, waitFor } from './support/nodes.ts';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./support/jwcrypto_verify.py', import.meta.url));
const hasJwcrypto = spawnSync(PYTHON, ['-c', 'import jwcrypto'], { stdio: 'ignore' }).status === 0;
// CI installs python3-jwcrypto, so there it must run; elsewhere it is skipped loudly, not silently passed.
const mustRun = process.env.CI === 'true';
if (!hasJwcrypto) console.warn(`[independent JOSE check] python3-jwcrypto not found at ${PYTHON}: ${mustRun ? 'failing (CI)' : 'skipped'}`);

function jwcryptoVerify(jwks: unknown, token: string, typ: string, decryptionKey?: unknown): { kid: string; payload: Record<string, unknown> } {
  const run = spawnSync(PYTHON, [script], { input: JSON.stringify({ jwks, token, typ, ...(decryptionKey ? { decryptionKey } : {}) }), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`jwcrypto refused: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout);
}

describe.runIf(hasJwcrypto || mustRun)('an independent JOSE implementation (python3-jwcrypto) verifies what crosses the line', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let proxy: Server;
  const captured: Array<{ request: string; response: string }> = [];

  beforeAll(async () => {
    [atina, pvpt] = await startPair();
    // A recording proxy on atina's path to pvpt: what is captured is exactly what travelled.
    proxy = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const upstream = await fetch(`${pvpt.federationUrl}${req.url}`, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? '' }, body });
      const text = await upstream.text();
      captured.push({ request: body, response: text });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
      res.end(text);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    await atina.node.ctx.db.update(peers).set({ messagesUrl: `http://127.0.0.1:${port}/federation/v1/messages` }).where(eq(peers.nodeId, 'pvpt'));
  });
  afterAll(async () => {
    proxy?.close();
    await Promise.all([atina?.stop(), pvpt?.stop()]);
  });

  it('checks a captured message signature and its receipt using only the published JWKS', async () => {
    expect(hasJwcrypto, 'python3-jwcrypto must be installed (apt install python3-jwcrypto)').toBe(true);
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${created.body.id}`)).body.status === 'received');
    expect(captured).toHaveLength(1);
    const { request, response } = captured[0]!;

    // Only the receiver can open the envelope; the signature inside is then anyone's to check.
    // Both jose and jwcrypto open what the node sealed with node:crypto, to the same signed message.
    // jose opens it with the node's own non-extractable key; jwcrypto needs the private JWK, as keys.json holds it.
    const inner = new TextDecoder().decode((await compactDecrypt(request, pvpt.node.ctx.config.keys.encryption[0]!.privateKey)).plaintext);
    const key = pvpt.storedKeys.encryption[0]!;
    const atinaJwks = await (await fetch(`${atina.federationUrl}/.well-known/jwks.json`)).json();
    const message = jwcryptoVerify(atinaJwks, request, 'bridge-msg+jwt', key.jwk);
    expect(message.payload).toMatchObject({ iss: 'atina', aud: 'pvpt', type: 'referral.request', referralId: created.body.id, seq: 1 });
    expect(jwcryptoVerify(atinaJwks, inner, 'bridge-msg+jwt')).toEqual(message);
    // jwcrypto refuses the envelope with one changed byte of its ciphertext, or opened with another key.
    const jwe = request.split('.');
    const flipped = Buffer.from(jwe[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => jwcryptoVerify(atinaJwks, [jwe[0], jwe[1], jwe[2], flipped.toString('base64url'), jwe[4]].join('.'), 'bridge-msg+jwt', key.jwk)).toThrow(/jwcrypto refused/);
    expect(() => jwcryptoVerify(atinaJwks, request, 'bridge-msg+jwt', atina.storedKeys.encryption[0]!.jwk)).toThrow(/jwcrypto refused/);

    const { receipt } = JSON.parse(response) as { receipt: string };
    const pvptJwks = await (await fetch(`${pvpt.federationUrl}/.well-known/jwks.json`)).json();
    const verified = jwcryptoVerify(pvptJwks, receipt, 'bridge-receipt+jwt');
    const { createHash } = await import('node:crypto');
    expect(verified.payload).toMatchObject({ iss: 'pvpt', aud: 'atina', messageId: message.payload.jti, digest: `sha-256:${createHash('sha256').update(request).digest('base64url')}` });

    // And jwcrypto refuses the same receipt with one changed byte, or against the wrong JWKS.
    const parts = receipt.split('.');
    const tampered = [parts[0], Buffer.from(JSON.stringify({ ...verified.payload, logIndex: 999 })).toString('base64url'), parts[2]].join('.');
    expect(() => jwcryptoVerify(pvptJwks, tampered, 'bridge-receipt+jwt')).toThrow(/jwcrypto refused/);
    expect(() => jwcryptoVerify(atinaJwks, receipt, 'bridge-receipt+jwt')).toThrow(/kid not in the published JWKS/);
  });
});
