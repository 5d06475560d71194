/**
 * Sign-in with the organisation's OpenID provider (issue 15 part 3), against a real provider (panva's
 * oidc-provider) on loopback: authorization code with PKCE, state and nonce, the exact issuer; people
 * are matched by issuer and subject and never created; a local one-time code when the provider's
 * token shows no second factor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { eq, sql } from 'drizzle-orm';
import { oidcSignIns, users } from '../src/db/schema/index.ts';
import { createUser } from '../src/people/users.ts';
import { createSession } from '../src/people/sessions.ts';
import { accountKey } from '../src/people/throttle.ts';
import { csrfToken, sealTotpSecret } from '../src/people/secrets.ts';
import { newTotpSecret } from '../src/people/totp.ts';
import { startTestProvider, type TestProvider } from './support/oidc-provider.ts';
import { startTestNode, type TestNode } from './support/nodes.ts';

const CONSOLE = 'http://localhost:4102';
const CALLBACK = `${CONSOLE}/console/oidc`;

interface Res {
  status: number;
  body: any;
  cookies: string[];
}

/** A browser: keeps its cookies for the node, sends what the console would send. */
class Browser {
  readonly jar = new Map<string, string>();
  csrf: string | undefined;
  constructor(private readonly node: TestNode) {}

  async call(method: string, path: string, body?: unknown): Promise<Res> {
    const res = await fetch(`${this.node.url}${path}`, {
      method,
      headers: {
        origin: CONSOLE,
        'sec-fetch-site': 'same-origin',
        ...(this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const cookies = res.headers.getSetCookie();
    for (const c of cookies) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      if (v.join('=') === '') this.jar.delete(k!);
      else this.jar.set(k!, v.join('='));
    }
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (parsed?.csrfToken) this.csrf = parsed.csrfToken;
    return { status: res.status, body: parsed, cookies };
  }
}

describe('sign-in with the organisation\'s OpenID provider', () => {
  let provider: TestProvider;
  let node: TestNode;
  let operator: Browser;
  let anaTotp: string;
  let anaId: string;

  /** Starts at the node, passes the provider's login as `login`, and returns the browser and the provider's answer. */
  const throughProvider = async (login: TestProvider['nextLogin']) => {
    const browser = new Browser(node);
    const start = await browser.call('POST', '/v1/auth/sign-in/oidc/start');
    expect(start.status).toBe(200);
    provider.nextLogin = login;
    const answer = await provider.authorize(start.body.authorizationUrl);
    return { browser, start, callback: { code: answer.get('code')!, state: answer.get('state')!, iss: answer.get('iss')! } };
  };

  beforeAll(async () => {
    provider = await startTestProvider(CALLBACK);
    node = await startTestNode('atina', {
      autoDispatch: false,
      config: { accounts: { consoleOrigin: CONSOLE }, oidc: { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, label: 'Atina ID' } },
    });
    const { db, config } = node.node.ctx;
    const person = async (username: string, roles: ('operator' | 'case_worker')[]) => {
      const { user } = await createUser(node.node.ctx, { username, roles }, 'test');
      const [row] = await db.update(users).set({ status: 'active' }).where(eq(users.id, user.id)).returning();
      return row!;
    };
    const op = await person('oidc-operator', ['operator']);
    const { token, session } = await db.transaction((tx) => createSession(tx, node.node.ctx, op, 'passkey'));
    operator = new Browser(node);
    operator.jar.set('__Host-bridge_session', token);
    operator.csrf = csrfToken(config.pseudonymSecret, session.id);

    anaTotp = newTotpSecret();
    const ana = await person('ana', ['case_worker']);
    anaId = ana.id;
    await db.update(users).set({ totpSecret: sealTotpSecret(config.pseudonymSecret, ana.id, anaTotp) }).where(eq(users.id, ana.id));
    const bob = await person('bob', ['case_worker']);
    // Linked through the admin API, as an operator would.
    expect((await operator.call('PUT', `/admin/v1/users/${ana.id}/oidc`, { issuer: provider.issuer, subject: 'ana-sub' })).status).toBe(204);
    expect((await operator.call('PUT', `/admin/v1/users/${bob.id}/oidc`, { issuer: 'https://id.other.example', subject: 'bob-sub' })).status).toBe(204);
    // One identity, one account.
    expect((await operator.call('PUT', `/admin/v1/users/${bob.id}/oidc`, { issuer: provider.issuer, subject: 'ana-sub' })).body.code).toBe('conflict');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([node?.stop(), provider?.stop()]);
  });

  it('offers the provider and starts with PKCE, state and nonce; the browser holds only a binding cookie', async () => {
    expect((await new Browser(node).call('GET', '/v1/auth/options')).body.oidc).toEqual({ label: 'Atina ID' });
    const browser = new Browser(node);
    const start = await browser.call('POST', '/v1/auth/sign-in/oidc/start');
    const url = new URL(start.body.authorizationUrl);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    for (const p of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(p)).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const binding = browser.jar.get('__Host-bridge_oidc')!;
    expect(binding).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(start.cookies[0]).toMatch(/Secure; HttpOnly; SameSite=Lax; Max-Age=600/);
    expect(start.body.authorizationUrl).not.toContain(binding);
  });

  it('signs in the linked person when the provider shows a second factor, with the roles set on this node', async () => {
    const { browser, callback } = await throughProvider({ subject: 'ana-sub', amr: ['pwd', 'mfa'] });
    const done = await browser.call('POST', '/v1/auth/sign-in/oidc', callback);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.user).toMatchObject({ id: anaId, username: 'ana', roles: ['case_worker'] });
    expect(done.body.session.method).toBe('oidc');
    expect(browser.jar.has('__Host-bridge_oidc')).toBe(false);
    expect((await browser.call('GET', '/v1/auth/session')).status).toBe(200);
    expect((await browser.call('GET', '/v1/referrals')).status).toBe(200);

  });

  it('counts only amr "mfa" as the provider\'s second factor (RFC 8176): one method alone asks for the local code', async () => {
    for (const amr of [['pwd', 'otp'], ['sms'], ['hwk'], ['swk'], ['pop'], ['otp']]) {
      const { browser, callback } = await throughProvider({ subject: 'ana-sub', amr });
      const res = await browser.call('POST', '/v1/auth/sign-in/oidc', callback);
      expect([res.status, res.body.code], amr.join(',')).toEqual([401, 'local_factor_required']);
      expect(browser.jar.has('__Host-bridge_session')).toBe(false);
    }
  });

  it('refuses operators and auditors, who sign in with a passkey only, and audits why', async () => {
    const { db } = node.node.ctx;
    const { user } = await createUser(node.node.ctx, { username: 'oidc-auditor', roles: ['auditor'] }, 'test');
    // Linked directly: the admin API refuses to link an oversight account.
    await db.update(users).set({ status: 'active', oidcIssuer: provider.issuer, oidcSubject: 'auditor-sub' }).where(eq(users.id, user.id));
    const { browser, callback } = await throughProvider({ subject: 'auditor-sub', amr: ['mfa'] });
    const res = await browser.call('POST', '/v1/auth/sign-in/oidc', callback);
    expect([res.status, res.body.code]).toEqual([401, 'sign_in_failed']);
    expect(browser.jar.has('__Host-bridge_session')).toBe(false);
    const audited = await db.execute(sql`select detail from audit_events where type = 'auth.sign_in.failed' and actor = ${`user:${user.id}`}`);
    expect(audited.rows.map((r) => (r as { detail: { reason: string } }).detail.reason)).toEqual(['passkey_only']);
  });

  it('links only another person\'s case-work account, and ends that person\'s sessions when it does', async () => {
    const { db } = node.node.ctx;
    const [me] = await db.select().from(users).where(eq(users.username, 'oidc-operator'));
    const own = await operator.call('PUT', `/admin/v1/users/${me!.id}/oidc`, { issuer: provider.issuer, subject: 'op-sub' });
    expect([own.status, own.body.code]).toEqual([403, 'own_account']);
    const { user: other } = await createUser(node.node.ctx, { username: 'oidc-operator-2', roles: ['operator'] }, 'test');
    const oversight = await operator.call('PUT', `/admin/v1/users/${other.id}/oidc`, { issuer: provider.issuer, subject: 'op2-sub' });
    expect([oversight.status, oversight.body.code]).toEqual([422, 'passkey_required']);
    const linked = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(sql`${users.oidcSubject} in ('op-sub', 'op2-sub')`);
    expect(linked[0]!.n).toBe(0);
    // Ana has a session; linking her (again) ends it, and says so in the audit log.
    const [ana] = await db.select().from(users).where(eq(users.id, anaId));
    await db.transaction((tx) => createSession(tx, node.node.ctx, ana!, 'password'));
    expect((await operator.call('PUT', `/admin/v1/users/${anaId}/oidc`, { issuer: provider.issuer, subject: 'ana-sub' })).status).toBe(204);
    const left = await db.execute(sql`select count(*)::int as n from user_sessions where user_id = ${anaId}`);
    expect((left.rows[0] as { n: number }).n).toBe(0);
    const revoked = await db.execute(sql`select detail from audit_events where type = 'session.revoked' and detail->>'user' = ${`user:${anaId}`}`);
    expect(revoked.rows.map((r) => (r as { detail: { reason: string } }).detail.reason)).toContain('oidc_linked');
  });

  it('refuses a replayed state: a second completion of one attempt fails', async () => {
    const { browser, callback } = await throughProvider({ subject: 'ana-sub', amr: ['mfa'] });
    const binding = browser.jar.get('__Host-bridge_oidc')!;
    expect((await browser.call('POST', '/v1/auth/sign-in/oidc', callback)).status).toBe(200);
    const thief = new Browser(node);
    thief.jar.set('__Host-bridge_oidc', binding);
    const again = await thief.call('POST', '/v1/auth/sign-in/oidc', callback);
    expect([again.status, again.body.code]).toEqual([401, 'sign_in_failed']);
    // And a state from one attempt does not complete another.
    const first = await throughProvider({ subject: 'ana-sub', amr: ['mfa'] });
    const second = await throughProvider({ subject: 'ana-sub', amr: ['mfa'] });
    const crossed = await second.browser.call('POST', '/v1/auth/sign-in/oidc', { ...second.callback, state: first.callback.state });
    expect([crossed.status, crossed.body.code]).toEqual([401, 'sign_in_failed']);
    // Without the binding cookie nothing completes.
    const fresh = await throughProvider({ subject: 'ana-sub', amr: ['mfa'] });
    const cookieless = await new Browser(node).call('POST', '/v1/auth/sign-in/oidc', fresh.callback);
    expect([cookieless.status, cookieless.body.code]).toEqual([401, 'sign_in_failed']);
  });

  it('never creates an account for an identity no one is linked to', async () => {
    const before = (await node.node.ctx.db.select({ n: sql<number>`count(*)::int` }).from(users))[0]!.n;
    const { browser, callback } = await throughProvider({ subject: 'stranger-sub', amr: ['mfa'] });
    const res = await browser.call('POST', '/v1/auth/sign-in/oidc', callback);
    expect([res.status, res.body.code]).toEqual([401, 'sign_in_failed']);
    expect(browser.jar.has('__Host-bridge_session')).toBe(false);
    expect((await node.node.ctx.db.select({ n: sql<number>`count(*)::int` }).from(users))[0]!.n).toBe(before);
  });

  it('refuses another issuer: in the provider\'s answer, and for an identity linked under another issuer', async () => {
    const forged = await throughProvider({ subject: 'ana-sub', amr: ['mfa'] });
    const res = await forged.browser.call('POST', '/v1/auth/sign-in/oidc', { ...forged.callback, iss: 'https://id.other.example' });
    expect([res.status, res.body.code]).toEqual([401, 'sign_in_failed']);
    // bob is linked to subject bob-sub at another issuer; the same subject at this provider is someone else.
    const bob = await throughProvider({ subject: 'bob-sub', amr: ['mfa'] });
    const refused = await bob.browser.call('POST', '/v1/auth/sign-in/oidc', bob.callback);
    expect([refused.status, refused.body.code]).toEqual([401, 'sign_in_failed']);
  });

  it('refuses an ID token whose nonce is not the attempt\'s', async () => {
    const { browser, callback } = await throughProvider({ subject: 'ana-sub', amr: ['mfa'] });
    // The token the provider issues carries the nonce sent at start; the attempt now expects another.
    await node.node.ctx.db.update(oidcSignIns).set({ nonce: 'a-different-nonce-0123456789abcdefghijklmnop' }).where(eq(oidcSignIns.state, callback.state));
    const res = await browser.call('POST', '/v1/auth/sign-in/oidc', callback);
    expect([res.status, res.body.code]).toEqual([401, 'sign_in_failed']);
    expect(browser.jar.has('__Host-bridge_session')).toBe(false);
  });

  it('asks for a local one-time code when the provider shows no second factor, and only then issues the session', async () => {
    const { browser, callback } = await throughProvider({ subject: 'ana-sub', amr: ['pwd'] });
    const half = await browser.call('POST', '/v1/auth/sign-in/oidc', callback);
    expect([half.status, half.body.code]).toEqual([401, 'local_factor_required']);
    expect(browser.jar.has('__Host-bridge_session')).toBe(false);
    expect((await browser.call('GET', '/v1/auth/session')).status).toBe(401);
    const code = await generate({ secret: anaTotp, epoch: Math.floor(Date.now() / 1000) });
    const done = await browser.call('POST', '/v1/auth/sign-in/oidc/code', { code });
    expect(done.status).toBe(200);
    expect(done.body.session.method).toBe('oidc');
    expect((await browser.call('GET', '/v1/auth/session')).status).toBe(200);

    // A wrong code ends the attempt: the right one after it is refused too. A token without amr is no second factor either.
    const next = await throughProvider({ subject: 'ana-sub' });
    expect((await next.browser.call('POST', '/v1/auth/sign-in/oidc', next.callback)).body.code).toBe('local_factor_required');
    expect((await next.browser.call('POST', '/v1/auth/sign-in/oidc/code', { code: '000000' })).body.code).toBe('sign_in_failed');
    const late = await next.browser.call('POST', '/v1/auth/sign-in/oidc/code', { code: await generate({ secret: anaTotp, epoch: Math.floor(Date.now() / 1000) + 30 }) });
    expect([late.status, late.body.code]).toEqual([401, 'sign_in_failed']);
    // The code step cannot be skipped by posting the provider's answer again.
    expect((await next.browser.call('POST', '/v1/auth/sign-in/oidc', next.callback)).body.code).toBe('sign_in_failed');
  });

  it('throttles the local one-time code like a password, and a locked account cannot sign in with the provider', async () => {
    const { db } = node.node.ctx;
    await db.execute(sql`delete from auth_throttles`); // earlier tests' wrong codes count too
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { browser, callback } = await throughProvider({ subject: 'ana-sub', amr: ['pwd'] });
      expect((await browser.call('POST', '/v1/auth/sign-in/oidc', callback)).body.code).toBe('local_factor_required');
      wrong.push((await browser.call('POST', '/v1/auth/sign-in/oidc/code', { code: '000000' })).status);
    }
    expect(wrong).toEqual([401, 401, 401, 401, 401]);
    // After five failures the account waits: the next attempt stops before its code is asked for.
    const waiting = await throughProvider({ subject: 'ana-sub', amr: ['pwd'] });
    expect((await waiting.browser.call('POST', '/v1/auth/sign-in/oidc', waiting.callback)).status).toBe(429);
    // Locked by an operator's policy (the cap reached): even the provider's mfa does not get in, nor the local path.
    await db.execute(sql`update auth_throttles set failures = 50, locked_until = now() + interval '100 years' where key = ${accountKey('ana')}`);
    const locked = await throughProvider({ subject: 'ana-sub', amr: ['mfa'] });
    const res = await locked.browser.call('POST', '/v1/auth/sign-in/oidc', locked.callback);
    expect([res.status, res.body.code]).toEqual([401, 'sign_in_failed']);
    expect(locked.browser.jar.has('__Host-bridge_session')).toBe(false);
    const local = await throughProvider({ subject: 'ana-sub', amr: ['pwd'] });
    expect((await local.browser.call('POST', '/v1/auth/sign-in/oidc', local.callback)).body.code).toBe('sign_in_failed');
    // Unlocked, the provider's mfa signs in again.
    await db.execute(sql`delete from auth_throttles`);
    const after = await throughProvider({ subject: 'ana-sub', amr: ['mfa'] });
    expect((await after.browser.call('POST', '/v1/auth/sign-in/oidc', after.callback)).status).toBe(200);
  });
});

