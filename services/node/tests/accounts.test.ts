/**
 * People's accounts through the real HTTP server on real PostgreSQL: enrolment with a passkey (a
 * software authenticator producing real WebAuthn responses) and with password + TOTP, sessions in
 * a __Host- cookie, CSRF, step-up, roles on the existing operations, throttling and uniform
 * failures. The T-numbers are the cases of research/human-auth-anchors.md §6.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { eq, sql } from 'drizzle-orm';
import { userPasskeys, users, userSessions } from '../src/db/schema/index.ts';
import { createSession } from '../src/people/sessions.ts';
import { csrfToken, openTotpSecret } from '../src/people/secrets.ts';
import type { Clock } from '../src/clock.ts';
import { createUser } from '../src/people/users.ts';
import { SoftAuthenticator } from './support/authenticator.ts';
import { startTestNode, type TestNode } from './support/nodes.ts';

const CONSOLE = 'http://localhost:4101';
let offset = 0;
const clock: Clock = { now: () => new Date(Date.now() + offset) };
const MIN = 60_000;

interface Res {
  status: number;
  body: any;
  headers: Headers;
}

/** A browser tab: keeps the session cookie and the CSRF token it was last given. */
class Browser {
  cookie: string | undefined;
  csrf: string | undefined;
  constructor(private readonly node: TestNode) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const res = await fetch(`${this.node.url}${path}`, {
      method,
      headers: {
        origin: CONSOLE,
        'sec-fetch-site': 'same-origin',
        ...(this.cookie ? { cookie: `__Host-bridge_session=${this.cookie}` } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    const match = set ? /^__Host-bridge_session=([^;]*)/.exec(set) : null;
    if (match) this.cookie = match[1] || undefined;
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (parsed?.csrfToken) this.csrf = parsed.csrfToken;
    if (parsed?.signedIn?.csrfToken) this.csrf = parsed.signedIn.csrfToken;
    return { status: res.status, body: parsed, headers: res.headers };
  }
}

const totpNow = (secret: string, at = clock.now()) => generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
const tokenOf = (url: string) => url.split('#')[1]!;
const PASSWORD = 'lanterns drift over the quiet harbour';
const NEW_PASSWORD = 'a kettle sings beside the winter window';

describe('people accounts', () => {
  let node: TestNode;
  let operator: Browser;
  let operatorKey: SoftAuthenticator;
  let operatorId: string;
  let worker: Browser;
  let workerId: string;
  let workerTotp: string;
  let recoveryCodes: string[];

  beforeAll(async () => {
    node = await startTestNode('atina', { autoDispatch: false, clock, config: { accounts: { consoleOrigin: CONSOLE, accountDelayAfter: 4, accountLockAfter: 8 } } });
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('enrols the first operator with a passkey from a one-time link, and signs them in (T1, T34)', async () => {
    const created = await createUser(node.node.ctx, { username: 'marko', roles: ['operator'] }, 'cli');
    operatorId = created.user.id;
    expect(created.enrolment.url).toMatch(/^http:\/\/localhost:4101\/console\/enrol#[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(created.enrolment.url);
    operator = new Browser(node);
    const info = await operator.call('POST', '/v1/auth/enrolment', { token });
    expect(info.body).toMatchObject({ username: 'marko', roles: ['operator'], methods: ['passkey'] });
    // Operators may not enrol a password.
    expect((await operator.call('POST', '/v1/auth/enrolment/totp', { token })).body.code).toBe('passkey_required');
    const options = await operator.call('POST', '/v1/auth/enrolment/passkey/options', { token });
    expect(options.status).toBe(200);
    expect(options.body.publicKey.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    operatorKey = new SoftAuthenticator(CONSOLE, 'localhost');
    const enrolled = await operator.call('POST', '/v1/auth/enrolment/passkey', { token, challengeId: options.body.challengeId, credential: operatorKey.create(options.body.publicKey), name: 'key' });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    const cookie = enrolled.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^__Host-bridge_session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toMatch(/Max-Age|Domain|Expires/i);
    expect(JSON.stringify(enrolled.body)).not.toContain(operator.cookie);
    expect(enrolled.body.recoveryCodes).toHaveLength(10);
    expect(enrolled.body.signedIn.user).toMatchObject({ id: operatorId, roles: ['operator'], scopes: ['admin'] });
    // The link works once (T34), and only its hash is stored.
    expect((await new Browser(node).call('POST', '/v1/auth/enrolment', { token })).status).toBe(410);
    const rows = await node.node.ctx.db.execute(sql`select token_hash from user_enrolments`);
    expect(JSON.stringify(rows.rows)).not.toContain(token);
  });

  it('lets the operator create a case worker only with the session\'s CSRF token and from the console\'s origin (T12)', async () => {
    const body = { username: 'jelena', roles: ['case_worker'] };
    const noToken = await operator.call('POST', '/admin/v1/users', body, { 'x-csrf-token': 'A'.repeat(43) });
    expect(noToken.status).toBe(403);
    expect(noToken.body.code).toBe('csrf_rejected');
    expect((await operator.call('POST', '/admin/v1/users', body, { 'sec-fetch-site': 'cross-site' })).body.code).toBe('csrf_rejected');
    expect((await operator.call('POST', '/admin/v1/users', body, { origin: 'https://evil.example' })).body.code).toBe('csrf_rejected');
    expect((await operator.call('POST', '/admin/v1/users', { username: 'mixed', roles: ['operator', 'case_worker'] })).body.code).toBe('roles_invalid');
    const created = await operator.call('POST', '/admin/v1/users', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    workerId = created.body.user.id;
    worker = new Browser(node);
    const token = tokenOf(created.body.enrolment.url);
    const setup = await worker.call('POST', '/v1/auth/enrolment/totp', { token });
    workerTotp = setup.body.secret;
    // The offered secret is stored sealed, bound to the account (T37).
    const pending = await node.node.ctx.db.execute(sql`select pending_totp_secret from user_enrolments where user_id = ${workerId} and used_at is null`);
    const pendingSealed = (pending.rows[0] as { pending_totp_secret: string }).pending_totp_secret;
    expect(pendingSealed).toMatch(/^v1\./);
    expect(pendingSealed).not.toContain(workerTotp);
    // Password policy (T18): length and the common-password list, with a reason.
    const short = await worker.call('POST', '/v1/auth/enrolment/password', { token, password: 'fourteen chars', totpCode: await totpNow(workerTotp) });
    expect(short.body).toMatchObject({ code: 'password_rejected', errors: [{ path: '/password', message: 'too_short' }] });
    const common = await worker.call('POST', '/v1/auth/enrolment/password', { token, password: 'passwordpassword', totpCode: await totpNow(workerTotp) });
    expect(common.body.errors[0].message).toBe('too_common');
    const done = await worker.call('POST', '/v1/auth/enrolment/password', { token, password: PASSWORD, totpCode: await totpNow(workerTotp) });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    recoveryCodes = done.body.recoveryCodes;
    const stored = await node.node.ctx.db.execute(sql`select password_hash from users where id = ${workerId}`);
    expect((stored.rows[0] as { password_hash: string }).password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const totpStored = (await node.node.ctx.db.execute(sql`select totp_secret from users where id = ${workerId}`)).rows[0] as { totp_secret: string };
    expect(totpStored.totp_secret).toMatch(/^v1\./);
    expect(totpStored.totp_secret).not.toContain(workerTotp);
    expect(openTotpSecret(node.node.ctx.config.pseudonymSecret, workerId, totpStored.totp_secret)).toBe(workerTotp);
    // Bound to this account: the sealed secret does not open as another's.
    expect(() => openTotpSecret(node.node.ctx.config.pseudonymSecret, operatorId, totpStored.totp_secret)).toThrow();
  });

  it('gives a session the scopes of its roles on the existing operations, and audits it as user:<id> (T30, T31, T32)', async () => {
    expect((await worker.call('GET', '/v1/referrals')).status).toBe(200);
    expect((await worker.call('GET', '/admin/v1/audit/events')).status).toBe(403);
    expect((await operator.call('GET', '/v1/referrals')).status).toBe(403);
    expect((await operator.call('GET', '/admin/v1/outbox')).status).toBe(200);
    // Without the cookie the same request is 401.
    expect((await new Browser(node).call('GET', '/v1/auth/session')).status).toBe(401);
    const actors = await node.node.ctx.db.execute(sql`select distinct actor, type from audit_events where actor like 'user:%' order by type`);
    const types = (actors.rows as Array<{ actor: string; type: string }>).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['auth.enrolled', 'auth.sign_in.succeeded', 'user.created', 'auth.passkey.added']));
  });

  it('signs in with password and TOTP, accepting a TOTP step once (T21) and a recovery code once (T23)', async () => {
    offset += 2 * MIN;
    const tab = new Browser(node);
    const code = await totpNow(workerTotp);
    const ok = await tab.call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const again = await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code });
    expect(again.body.code).toBe('sign_in_failed');
    const withRecovery = await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: recoveryCodes[0] });
    expect(withRecovery.status).toBe(200);
    expect(withRecovery.body.session.method).toBe('recovery_code');
    expect((await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: recoveryCodes[0] })).status).toBe(401);
  });

  it('gives the same answer for an unknown user, a wrong password and a disabled account (T14)', async () => {
    const strip = (r: Res) => ({ status: r.status, body: { ...r.body, requestId: undefined } });
    const unknown = strip(await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'nobody', password: PASSWORD, code: '123456' }));
    const wrong = strip(await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: `${PASSWORD}x`, code: '123456' }));
    expect(unknown).toEqual(wrong);
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('sign_in_failed');
  });

  it('ends sessions after 15 idle minutes (T5) and 8 hours (T6)', async () => {
    offset += 14 * MIN;
    expect((await worker.call('GET', '/v1/auth/session')).status).toBe(401); // the worker's session from enrolment: idle since
    const tab = new Browser(node);
    offset += 31_000;
    expect((await tab.call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp) })).status).toBe(200);
    offset += 14 * MIN;
    expect((await tab.call('GET', '/v1/auth/session')).status).toBe(200);
    offset += 14 * MIN;
    expect((await tab.call('GET', '/v1/auth/session')).status).toBe(200);
    offset += 15 * MIN + 1000;
    expect((await tab.call('GET', '/v1/auth/session')).status).toBe(401);
    const longTab = new Browser(node);
    offset += 31_000;
    expect((await longTab.call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp) })).status).toBe(200);
    for (let i = 0; i < 34; i++) {
      offset += 14 * MIN;
      expect((await longTab.call('GET', '/v1/auth/session')).status).toBe(200);
    }
    offset += 14 * MIN;
    expect((await longTab.call('GET', '/v1/auth/session')).status).toBe(401);
  });

  it('asks for a step-up after 5 minutes; a passkey step-up rotates the session and the old cookie stops working (T27, T2)', async () => {
    const signIn = await operator.call('POST', '/v1/auth/sign-in/passkey/options');
    const signedIn = await operator.call('POST', '/v1/auth/sign-in/passkey', { challengeId: signIn.body.challengeId, credential: operatorKey.get(signIn.body.publicKey) });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    offset += 5 * MIN + 1000;
    const refused = await operator.call('POST', '/admin/v1/users', { username: 'ana', roles: ['auditor'] });
    expect(refused.body.code).toBe('step_up_required');
    const oldCookie = operator.cookie;
    const options = await operator.call('POST', '/v1/auth/step-up/passkey/options');
    const stepped = await operator.call('POST', '/v1/auth/step-up/passkey', { challengeId: options.body.challengeId, credential: operatorKey.get(options.body.publicKey) });
    expect(stepped.status, JSON.stringify(stepped.body)).toBe(200);
    expect(operator.cookie).not.toBe(oldCookie);
    const stale = new Browser(node);
    stale.cookie = oldCookie;
    expect((await stale.call('GET', '/v1/auth/session')).status).toBe(401);
    expect((await operator.call('POST', '/admin/v1/users', { username: 'ana', roles: ['auditor'] })).status).toBe(201);
    // The same challenge cannot be answered twice (T25).
    const replay = await operator.call('POST', '/v1/auth/step-up/passkey', { challengeId: options.body.challengeId, credential: operatorKey.get(options.body.publicKey) });
    expect(replay.body.code).toBe('sign_in_failed');
  });

  it('refuses a passkey without user verification or from another origin (T25)', async () => {
    for (const bend of [{ userVerified: false }, { origin: 'https://evil.example' }, { rpId: 'evil.example' }]) {
      const tab = new Browser(node);
      const options = await tab.call('POST', '/v1/auth/sign-in/passkey/options');
      const res = await tab.call('POST', '/v1/auth/sign-in/passkey', { challengeId: options.body.challengeId, credential: operatorKey.get(options.body.publicKey, bend) });
      expect(res.body.code, JSON.stringify(bend)).toBe('sign_in_failed');
    }
  });

  it('takes a role change and a disabled account into account on the next request (T10, T9), and nobody changes their own roles', async () => {
    const tab = new Browser(node);
    offset += 31_000;
    expect((await tab.call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp) })).status).toBe(200);
    expect((await tab.call('GET', '/v1/referrals')).status).toBe(200);
    expect((await operator.call('PUT', `/admin/v1/users/${operatorId}/roles`, { roles: ['auditor'] })).body.code).toBe('own_account');
    const before = tab.cookie;
    // Auditors sign in with a passkey only: an account without one cannot become an auditor.
    const refused = await operator.call('PUT', `/admin/v1/users/${workerId}/roles`, { roles: ['auditor'] });
    expect([refused.status, refused.body.code]).toEqual([422, 'passkey_required']);
    expect(tab.cookie).toBe(before);
    // With a passkey on the account the promotion goes through (the row stands in for an enrolled one).
    const passkeyId = crypto.randomUUID();
    await node.node.ctx.db.insert(userPasskeys).values({ id: passkeyId, userId: workerId, credentialId: `cred-${passkeyId}`, publicKey: 'AAAA', counter: 0, transports: [], backedUp: false, name: null, createdAt: clock.now(), lastUsedAt: null });
    expect((await operator.call('PUT', `/admin/v1/users/${workerId}/roles`, { roles: ['auditor'] })).status).toBe(200);
    expect((await tab.call('GET', '/v1/referrals')).status).toBe(403);
    expect(tab.cookie).not.toBe(before);
    expect((await tab.call('GET', '/admin/v1/audit/events')).status).toBe(200);
    // Now an auditor, the person's password and TOTP no longer sign in or step up.
    offset += 31_000;
    const asAuditor = await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp) });
    expect([asAuditor.status, asAuditor.body.code]).toEqual([401, 'sign_in_failed']);
    offset += 31_000;
    const stepUp = await tab.call('POST', '/v1/auth/step-up/password', { password: PASSWORD, code: await totpNow(workerTotp) });
    expect([stepUp.status, stepUp.body.code]).toEqual([401, 'sign_in_failed']);
    expect((await operator.call('PUT', `/admin/v1/users/${workerId}/roles`, { roles: ['case_worker'] })).status).toBe(200);
    await node.node.ctx.db.delete(userPasskeys).where(eq(userPasskeys.id, passkeyId));
    expect((await operator.call('POST', `/admin/v1/users/${workerId}/disable`)).body.status).toBe('disabled');
    expect((await tab.call('GET', '/v1/auth/session')).status).toBe(401);
    const disabled = await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp, new Date(clock.now().getTime() + 30_000)) });
    expect(disabled.body.code).toBe('sign_in_failed');
    expect((await operator.call('POST', `/admin/v1/users/${workerId}/enable`)).body.status).toBe('active');
  });

  it('keeps at most 3 sessions, lists them and ends one (T7), signs out (T4), and stores only token hashes (T3)', async () => {
    const tabs: Browser[] = [];
    for (let i = 0; i < 4; i++) {
      offset += 31_000;
      const tab = new Browser(node);
      expect((await tab.call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp) })).status).toBe(200);
      tabs.push(tab);
    }
    expect((await tabs[0]!.call('GET', '/v1/auth/session')).status).toBe(401);
    const list = await tabs[3]!.call('GET', '/v1/auth/sessions');
    expect(list.body.items).toHaveLength(3);
    const other = list.body.items.find((s: { current: boolean }) => !s.current);
    expect((await tabs[3]!.call('DELETE', `/v1/auth/sessions/${other.id}`)).status).toBe(204);
    expect((await tabs[3]!.call('GET', '/v1/auth/sessions')).body.items).toHaveLength(2);
    const hashes = (await node.node.ctx.db.execute(sql`select token_hash from user_sessions`)).rows as Array<{ token_hash: string }>;
    expect(hashes.map((r) => r.token_hash)).not.toContain(tabs[3]!.cookie);
    const forged = new Browser(node);
    forged.cookie = hashes[0]!.token_hash;
    expect((await forged.call('GET', '/v1/auth/session')).status).toBe(401);
    expect((await tabs[3]!.call('GET', '/v1/auth/sign-out')).status).toBe(404);
    expect((await tabs[3]!.call('POST', '/v1/auth/sign-out')).status).toBe(204);
    expect((await tabs[3]!.call('GET', '/v1/auth/session')).status).toBe(401);
  });

  it('throttles failures per account, then locks until an operator unlocks (T16), with the same answer for an unknown name', async () => {
    offset += 31_000;
    const attempt = (username: string) => new Browser(node).call('POST', '/v1/auth/sign-in/password', { username, password: 'wrong wrong wrong wrong', code: '000000' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt('jelena')).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    const throttled = await attempt('jelena');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) unknown.push((await attempt('ghost')).status);
    expect(unknown).toEqual([401, 401, 401, 401, 429]);
    for (let i = 0; i < 4; i++) {
      offset += 31 * MIN;
      await attempt('jelena');
    }
    offset += 61 * MIN;
    // Locked: even the right password fails, as a wrong one does.
    const locked = await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp) });
    expect(locked.body.code).toBe('sign_in_failed');
    // The operator's session has been idle: sign in (which counts as a step-up) again.
    const options = await operator.call('POST', '/v1/auth/sign-in/passkey/options');
    expect((await operator.call('POST', '/v1/auth/sign-in/passkey', { challengeId: options.body.challengeId, credential: operatorKey.get(options.body.publicKey) })).status).toBe(200);
    expect((await operator.call('GET', `/admin/v1/users/${workerId}`)).body.locked).toBe(true);
    expect((await operator.call('POST', `/admin/v1/users/${workerId}/unlock`)).body.locked).toBe(false);
    offset += 31_000;
    expect((await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp) })).status).toBe(200);
    const lockouts = await node.node.ctx.db.execute(sql`select count(*)::int as n from audit_events where type in ('auth.lockout', 'user.unlocked') and (actor = ${`user:${workerId}`} or actor = ${`user:${operatorId}`})`);
    expect((lockouts.rows[0] as { n: number }).n).toBe(2);
  });

  it('ends the other sessions and rotates this one on a password change (T11), voids old recovery codes (T23), keeps the last factor (T26) and resets (T35)', async () => {
    const signIn = async () => {
      offset += 31_000;
      const tab = new Browser(node);
      expect((await tab.call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: PASSWORD, code: await totpNow(workerTotp) })).status).toBe(200);
      return tab;
    };
    const [a, b] = [await signIn(), await signIn()];
    const before = a.cookie;
    const changed = await a.call('PUT', '/v1/auth/password', { password: NEW_PASSWORD });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(a.cookie).not.toBe(before);
    expect((await b.call('GET', '/v1/auth/session')).status).toBe(401);
    expect((await a.call('GET', '/v1/auth/session')).status).toBe(200);
    const regenerated = await a.call('POST', '/v1/auth/recovery-codes');
    expect(regenerated.body.recoveryCodes).toHaveLength(10);
    const fresh = regenerated.body.recoveryCodes[0];
    expect((await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: NEW_PASSWORD, code: recoveryCodes[2] })).status).toBe(401);
    expect((await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'jelena', password: NEW_PASSWORD, code: fresh })).status).toBe(200);
    // The operator's only passkey cannot be removed.
    const session = await operator.call('GET', '/v1/auth/session');
    const passkeyId = session.body.user.factors.passkeys[0].id;
    expect((await operator.call('DELETE', `/v1/auth/passkeys/${passkeyId}`)).body.code).toBe('last_factor');
    // A reset removes every factor and session and gives a new link; it never shows a secret.
    const reset = await operator.call('POST', `/admin/v1/users/${workerId}/reset`);
    expect(reset.status).toBe(200);
    expect(reset.body.url).toMatch(/\/console\/enrol#/);
    expect((await a.call('GET', '/v1/auth/session')).status).toBe(401);
    expect((await operator.call('GET', `/admin/v1/users/${workerId}`)).body).toMatchObject({ status: 'invited', factors: { passkeys: 0, password: false, totp: false, recoveryCodesLeft: 0 } });
  });

  it('counts a parallel burst of guesses before checking them, so it cannot pass the cap (T22)', async () => {
    offset += 2 * 3600_000;
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'burst', password: 'wrong wrong wrong wrong', code: '000000' })),
    );
    for (const r of burst) expect([401, 429]).toContain(r.status);
    const [row] = (await node.node.ctx.db.execute(sql`select failures from auth_throttles where key like 'account:%' order by failures desc limit 1`)).rows as Array<{ failures: number }>;
    expect(row!.failures).toBeGreaterThanOrEqual(8);
    // Locked now: the next attempt fails like a wrong secret.
    offset += 2 * 3600_000;
    expect((await new Browser(node).call('POST', '/v1/auth/sign-in/password', { username: 'burst', password: 'wrong wrong wrong wrong', code: '000000' })).body.code).toBe('sign_in_failed');
  });

  /** A browser with a fresh session of `userId` (signed in just now, so stepped up), made in the database. */
  const sessionFor = async (userId: string): Promise<Browser> => {
    const { db, config } = node.node.ctx;
    const [row] = await db.select().from(users).where(eq(users.id, userId));
    const { token, session } = await db.transaction((tx) => createSession(tx, node.node.ctx, row!, 'passkey'));
    const tab = new Browser(node);
    tab.cookie = token;
    tab.csrf = csrfToken(config.pseudonymSecret, session.id);
    return tab;
  };
  const activePerson = async (username: string): Promise<{ id: string; url: string }> => {
    const { user, enrolment } = await createUser(node.node.ctx, { username, roles: ['case_worker'] }, 'test');
    return { id: user.id, url: enrolment.url };
  };

  it('ends every session of a person when an operator revokes them; the next request is 401 (T8)', async () => {
    const admin = await sessionFor(operatorId);
    const { id } = await activePerson('t8-person');
    await node.node.ctx.db.update(users).set({ status: 'active' }).where(eq(users.id, id));
    const [laptop, phone] = [await sessionFor(id), await sessionFor(id)];
    expect((await laptop.call('GET', '/v1/auth/session')).status).toBe(200);
    expect((await phone.call('GET', '/v1/referrals')).status).toBe(200);
    const revoked = await admin.call('POST', `/admin/v1/users/${id}/sessions/revoke`);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(204);
    for (const tab of [laptop, phone]) {
      const next = await tab.call('GET', '/v1/referrals');
      expect([next.status, next.body.code]).toEqual([401, 'unauthorized']);
    }
    expect(await node.node.ctx.db.select().from(userSessions).where(eq(userSessions.userId, id))).toEqual([]);
    // The operator's own session is untouched.
    expect((await admin.call('GET', '/v1/auth/session')).status).toBe(200);
  });

  it('lets an enrolment link work for one hour and no longer (T34)', async () => {
    const early = await activePerson('t34-early');
    const late = await activePerson('t34-late');
    offset += 59 * MIN;
    expect((await new Browser(node).call('POST', '/v1/auth/enrolment', { token: tokenOf(early.url) })).status).toBe(200);
    offset += 2 * MIN;
    const expired = await new Browser(node).call('POST', '/v1/auth/enrolment', { token: tokenOf(late.url) });
    expect([expired.status, expired.body.code]).toEqual([410, 'enrolment_invalid']);
  });

  it('rolls a sign-in back when its audit event cannot be written: no session, no cookie (T36)', async () => {
    const { db } = node.node.ctx;
    const sessionsOf = async () => (await db.select().from(userSessions).where(eq(userSessions.userId, operatorId))).length;
    const [{ lastSignInAt: before }] = (await db.select({ lastSignInAt: users.lastSignInAt }).from(users).where(eq(users.id, operatorId))) as [{ lastSignInAt: Date | null }];
    const count = await sessionsOf();
    // The audit insert of a successful sign-in fails, inside the sign-in's own transaction.
    await db.execute(sql`create function t36_refuse() returns trigger language plpgsql as $$ begin if new.type = 'auth.sign_in.succeeded' then raise exception 't36: audit unavailable'; end if; return new; end $$`);
    await db.execute(sql`create trigger t36_refuse before insert on audit_events for each row execute function t36_refuse()`);
    try {
      offset += 31_000;
      const tab = new Browser(node);
      const options = await tab.call('POST', '/v1/auth/sign-in/passkey/options');
      const res = await tab.call('POST', '/v1/auth/sign-in/passkey', { challengeId: options.body.challengeId, credential: operatorKey.get(options.body.publicKey) });
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('internal_error');
      expect(JSON.stringify(res.body)).not.toContain('t36');
      expect(tab.cookie).toBeUndefined();
      expect(await sessionsOf()).toBe(count);
      const [{ lastSignInAt: after }] = (await db.select({ lastSignInAt: users.lastSignInAt }).from(users).where(eq(users.id, operatorId))) as [{ lastSignInAt: Date | null }];
      expect(after).toEqual(before);
    } finally {
      await db.execute(sql`drop trigger t36_refuse on audit_events`);
      await db.execute(sql`drop function t36_refuse()`);
    }
    // With the audit log writable again, the same sign-in works.
    offset += 31_000;
    const tab = new Browser(node);
    const options = await tab.call('POST', '/v1/auth/sign-in/passkey/options');
    expect((await tab.call('POST', '/v1/auth/sign-in/passkey', { challengeId: options.body.challengeId, credential: operatorKey.get(options.body.publicKey) })).status).toBe(200);
    expect(await sessionsOf()).toBe(Math.min(count + 1, 3));
  });

  it('never writes a password, TOTP secret, recovery code or token into logs or the audit log (T37)', async () => {
    const audit = JSON.stringify((await node.node.ctx.db.execute(sql`select * from audit_events`)).rows);
    const logs = node.logs.join('\n');
    for (const secret of [PASSWORD, NEW_PASSWORD, workerTotp, recoveryCodes[1]!, operator.cookie!, 'jelena']) {
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });
});
