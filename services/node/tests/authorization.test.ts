import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '@bridge/contract';
import { currentKey, signApiToken } from '@bridge/crypto';
import { scopesFor } from '../src/clients/auth.ts';
import { createClient, revokeClient, SCOPES, tokenAudience, type Scope } from '../src/clients/clients.ts';
import { outboxMessages, users } from '../src/db/schema/index.ts';
import { eq } from 'drizzle-orm';
import type { UserRole } from '@bridge/contract';
import { createUser } from '../src/people/users.ts';
import { createSession } from '../src/people/sessions.ts';
import { csrfToken } from '../src/people/secrets.ts';
import { scopesOf } from '../src/people/roles.ts';
import { demoReferral, demoReturnReferral } from '../src/demo/scenario.ts';
import { contractRequests, type ContractRequest } from './support/contract-requests.ts';
import { requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { listenerUrl, onboard, startTestNode, waitFor, type TestNode } from './support/nodes.ts';

/**
 * Every operation of the contract × every kind of caller, with the answer the contract promises:
 * operations without a bearer requirement ignore credentials; the others answer 401 `unauthorized`
 * to anything but a valid token of this node, 403 `forbidden` to a valid token without one of the
 * operation's scopes, and pass auth with one. The operations and their scopes come from the
 * contract, so routes added later are covered as soon as they are in it.
 */

/** A client token, or a person's session (cookie and CSRF token) with the scopes of their role. */
type Caller = { name: string; token: string | undefined; scopes: Scope[] | 'invalid' | 'none'; session?: { cookie: string; csrf: string } };

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

const MARKERS = { givenName: 'Zqmarkergiven', familyName: 'Zqmarkerfamily', localId: 'ZQ-LOCAL-4711', documentNumber: 'ZQDOC998877' };
/** Free text about the person: the referral's note and a question asked about it. */
const TEXTS = { note: 'Zqmarkernote', question: 'Zqmarkerquestion' };

describe('authorization matrix, driven by the contract', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  const callers: Caller[] = [];
  let requests: ContractRequest[] = [];
  let foreignReferralId: string;
  let ownQuestion: { referralId: string; questionId: string };
  let foreignQuestionId: string;
  const answers = new Map<string, Answer>();

  beforeAll(async () => {
    // pvpt never dispatches: a referral it creates exists on pvpt only.
    // Sign-in throttling would turn the matrix's repeated sign-in attempts into 429s.
    [atina, pvpt] = await Promise.all([startTestNode('atina', { config: { accounts: { accountDelayAfter: 10_000, accountLockAfter: 20_000, addressDelayAfter: 10_000 } } }), startTestNode('pvpt', { autoDispatch: false })]);
    await onboard(atina, pvpt);
    const now = new Date();
    const { config, db } = atina.node.ctx;
    const mint = async (scopes: Scope[]) => (await createClient(db, config, { name: `matrix ${scopes.join('+')}`, scopes, ttlDays: 1 }, 'test', now)).token;

    // Data for the operations that address an object: a real outbound referral carrying markers.
    const demo = demoReferral(now);
    const writer = await mint(['referrals:write']);
    const referral = await atina.api('POST', '/v1/referrals', { ...demo, person: { ...demo.person, ...MARKERS }, note: TEXTS.note }, writer);
    expect(referral.status).toBe(201);
    const question = await atina.api('POST', `/v1/referrals/${referral.body.id}/info-requests`, { text: TEXTS.question }, writer);
    expect(question.status).toBe(201);
    ownQuestion = { referralId: referral.body.id, questionId: question.body.id };
    await waitFor(async () => (await atina.node.ctx.db.select().from(outboxMessages)).find((m) => m.status === 'delivered'));
    const [message] = await db.select().from(outboxMessages);
    const foreign = await pvpt.api('POST', '/v1/referrals', demoReturnReferral(now), await pvpt.token(['referrals:write']));
    expect(foreign.status).toBe(201);
    foreignReferralId = foreign.body.id;
    const foreignQuestion = await pvpt.api('POST', `/v1/referrals/${foreignReferralId}/info-requests`, { text: TEXTS.question }, await pvpt.token(['referrals:write']));
    expect(foreignQuestion.status).toBe(201);
    foreignQuestionId = foreignQuestion.body.id;
    requests = contractRequests({ referralId: referral.body.id, messageId: message!.id });

    callers.push({ name: 'no token', token: undefined, scopes: 'none' });
    for (const scope of SCOPES) callers.push({ name: scope, token: await mint([scope]), scopes: [scope] });
    callers.push({ name: 'all scopes', token: await mint([...SCOPES]), scopes: [...SCOPES] });

    const revoked = await createClient(db, config, { name: 'revoked', scopes: [...SCOPES], ttlDays: 1 }, 'test', now);
    await revokeClient(db, revoked.id, 'test', now);
    callers.push({ name: 'revoked', token: revoked.token, scopes: 'invalid' });

    // A real client, all scopes, but the token's own lifetime is over.
    const expiring = await createClient(db, config, { name: 'expired', scopes: [...SCOPES], ttlDays: 1 }, 'test', now);
    const expired = await signApiToken(
      { clientId: expiring.id, scopes: [...SCOPES], issuer: 'atina', audience: tokenAudience('atina'), issuedAt: new Date(now.getTime() - 7_200_000), expiresAt: new Date(now.getTime() - 3_600_000) },
      currentKey(config.keys.token, now),
    );
    callers.push({ name: 'expired', token: expired, scopes: 'invalid' });

    // Claims this node would accept, for one of its own clients, signed with pvpt's token key.
    const claims = { clientId: expiring.id, scopes: [...SCOPES], issuer: 'atina', audience: tokenAudience('atina'), issuedAt: now, expiresAt: new Date(now.getTime() + 3_600_000) };
    callers.push({ name: "other node's token key", token: await signApiToken(claims, currentKey(pvpt.node.ctx.config.keys.token, now)), scopes: 'invalid' });
    // pvpt's own valid token, presented to atina.
    callers.push({ name: "other node's client", token: await pvpt.token([...SCOPES]), scopes: 'invalid' });
    // Peer credentials: a signed federation message, and the same claims signed with pvpt's signing key.
    callers.push({ name: 'peer message as bearer', token: await signInner(requestClaims(pvpt, atina, {}), signingKeyOf(pvpt)), scopes: 'invalid' });
    callers.push({ name: 'peer signing key', token: await signApiToken(claims, signingKeyOf(pvpt)), scopes: 'invalid' });
    callers.push({ name: 'garbage', token: 'not-a-token', scopes: 'invalid' });

    // People: a session per role, with the scopes of the role (signed in just now, so stepped up).
    for (const role of ['case_worker', 'supervisor', 'auditor', 'operator'] as UserRole[]) {
      const { user } = await createUser(atina.node.ctx, { username: `matrix-${role.replace('_', '-')}`, roles: [role] }, 'test');
      const [row] = await db.update(users).set({ status: 'active' }).where(eq(users.id, user.id)).returning();
      const { token, session } = await db.transaction((tx) => createSession(tx, atina.node.ctx, row!, 'passkey'));
      callers.push({ name: `person ${role}`, token: undefined, scopes: scopesOf([role]), session: { cookie: token, csrf: csrfToken(config.pseudonymSecret, session.id) } });
    }
    // A session whose person was disabled, and a made-up cookie.
    const { user: gone } = await createUser(atina.node.ctx, { username: 'matrix-disabled', roles: ['case_worker'] }, 'test');
    const [goneRow] = await db.update(users).set({ status: 'active' }).where(eq(users.id, gone.id)).returning();
    const goneSession = await db.transaction((tx) => createSession(tx, atina.node.ctx, goneRow!, 'passkey'));
    await db.update(users).set({ status: 'disabled' }).where(eq(users.id, gone.id));
    callers.push({ name: 'person disabled', token: undefined, scopes: 'invalid', session: { cookie: goneSession.token, csrf: csrfToken(config.pseudonymSecret, goneSession.session.id) } });
    callers.push({ name: 'person forged cookie', token: undefined, scopes: 'invalid', session: { cookie: 'A'.repeat(43), csrf: 'A'.repeat(43) } });

    // Signing out ends the session the later operations would use: it goes last.
    const ordered = [...requests.filter((r) => r.operationId !== 'signOut'), ...requests.filter((r) => r.operationId === 'signOut')];
    for (const request of ordered) {
      for (const caller of callers) answers.set(`${request.operationId}|${caller.name}`, await call(atina, request, caller));
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([atina?.stop(), pvpt?.stop()]);
  });

  it('covers every operation of the contract, with bearer, session and public ones among them', () => {
    expect(requests.length).toBeGreaterThanOrEqual(14);
    expect(requests.filter((r) => r.sessionScopes && !r.scopes).length).toBeGreaterThanOrEqual(10);
    expect(requests.filter((r) => r.scopes).length).toBeGreaterThanOrEqual(6);
    expect(requests.filter((r) => !r.scopes && !r.sessionScopes).length).toBeGreaterThanOrEqual(8);
    // every scope the contract names is one a client can be given
    for (const r of requests) for (const s of r.scopes ?? []) expect(SCOPES).toContain(s);
  });

  it('answers each caller as the contract states', () => {
    const failures: string[] = [];
    for (const request of requests) {
      for (const caller of callers) {
        const answer = answers.get(`${request.operationId}|${caller.name}`)!;
        const expected = expectation(request, caller);
        const required = requiredFor(request, caller);
        const code = problemCode(answer);
        const ok =
          expected === 'allowed'
            ? // a bearer token plays no part; a federation request signed by a peer the node does not know may
              // still be refused (403 peer_unknown), by its signature, never as unauthorized or forbidden
              answer.status < 500 && code !== 'unauthorized' && code !== 'forbidden' && (code !== undefined || (answer.status !== 401 && answer.status !== 403))
            : answer.status === (expected === 'unauthorized' ? 401 : 403) && code === expected && answer.contentType.startsWith('application/problem+json') && namesScopes(answer, expected === 'forbidden' ? required! : undefined);
        if (!ok) failures.push(`${request.operationId} as ${caller.name}: expected ${expected}${expected === 'forbidden' ? ` naming ${required!.join('|')}` : ''}, got ${answer.status} ${code ?? ''} ${answer.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    // every operation was asked by every caller
    expect(answers.size).toBe(requests.length * callers.length);
    // the cases the loop decides, spelled out: a valid bearer token with every scope on an operation only a
    // person's session may call is 401 (no scope would help), a session short of the role's scope is 403
    for (const operationId of ['getSession', 'createUser', 'signOut']) {
      const answer = answers.get(`${operationId}|all scopes`)!;
      expect([answer.status, problemCode(answer)], operationId).toEqual([401, 'unauthorized']);
    }
    const refused = answers.get('createUser|person case_worker')!;
    expect([refused.status, problemCode(refused), JSON.parse(refused.body).requiredScopes]).toEqual([403, 'forbidden', ['admin']]);
  });

  it('answers public operations the same whoever calls', () => {
    for (const request of requests.filter((r) => !r.scopes && !r.sessionScopes)) {
      const statuses = new Set(callers.map((c) => answers.get(`${request.operationId}|${c.name}`)!.status));
      expect([...statuses], request.operationId).toHaveLength(1);
    }
  });

  it('never shows personal data to an audit-only token, nor to any caller that was refused', () => {
    const marker = new RegExp([...Object.values(MARKERS), ...Object.values(TEXTS)].join('|'));
    for (const request of requests) {
      for (const caller of callers) {
        const answer = answers.get(`${request.operationId}|${caller.name}`)!;
        const neverPersonal = ['audit:read', 'admin', 'person auditor', 'person operator'].includes(caller.name);
        if (neverPersonal || answer.status === 401 || answer.status === 403) expect(answer.body, `${request.operationId} as ${caller.name}`).not.toMatch(marker);
      }
    }
    // the check is not vacuous: the referral with the markers is readable with the right scope
    const read = answers.get(`getReferral|referrals:read`)!;
    expect(read.status).toBe(200);
    expect(read.body).toMatch(marker);
    expect(read.body).toContain(TEXTS.note);
    expect(answers.get(`listInfoRequests|referrals:read`)!.body).toContain(TEXTS.question);
    // ... and so it is with a case worker's session
    expect(answers.get(`getReferral|person case_worker`)!.body).toMatch(marker);
  });

  it("answers a question addressed under another referral, or one that exists only on another node, like a missing one", async () => {
    const token = callers.find((c) => c.name === 'all scopes')!.token;
    const answer = (referralId: string, questionId: string) =>
      call(atina, { ...requests.find((r) => r.operationId === 'answerInfoRequest')!, path: contractRequests({ referralId, questionId }).find((r) => r.operationId === 'answerInfoRequest')!.path }, token);
    // [addressed, missing]: only the other organisation's id differs from a random one
    const pairs = [
      [[foreignReferralId, ownQuestion.questionId], [randomUUID(), ownQuestion.questionId]],
      [[ownQuestion.referralId, foreignQuestionId], [ownQuestion.referralId, randomUUID()]],
    ] as const;
    for (const [[referralId, questionId], [missingReferral, missingQuestion]] of pairs) {
      const other = await answer(referralId, questionId);
      const missing = await answer(missingReferral, missingQuestion);
      expect(other.status, `${referralId} ${questionId}`).toBe(404);
      expect(comparable(other.body, undefined)).toEqual(comparable(missing.body, undefined));
    }
  });

  it("answers a referral that exists only on another node exactly like a missing one", async () => {
    const allRead = callers.find((c) => c.name === 'all scopes')!.token;
    const addressed = requests.filter((r) => r.scopes && operationPath(r).includes('{referralId}'));
    expect(addressed.length).toBeGreaterThanOrEqual(2);
    for (const request of addressed) {
      // every other parameter keeps its example, so only the referral differs
      const pathFor = (id: string) => contractRequests({ referralId: id }).find((r) => r.operationId === request.operationId)!.path;
      const missing = await call(atina, { ...request, path: pathFor(randomUUID()) }, allRead);
      const foreign = await call(atina, { ...request, path: pathFor(foreignReferralId) }, allRead);
      expect(missing.status, request.operationId).toBe(404);
      expect(foreign.status, request.operationId).toBe(404);
      expect(comparable(foreign.body, foreignReferralId)).toEqual(comparable(missing.body, undefined));
    }
  });

  it('refuses every state-changing session request without its CSRF token, with another session\'s, or cross-site (T12)', async () => {
    const { db, config } = atina.node.ctx;
    const open = async (username: string) => {
      const [row] = await db.select().from(users).where(eq(users.username, username));
      const { token, session } = await db.transaction((tx) => createSession(tx, atina.node.ctx, row!, 'passkey'));
      return { cookie: token, csrf: csrfToken(config.pseudonymSecret, session.id) };
    };
    const mine = await open('matrix-case-worker');
    const other = await open('matrix-operator');
    const writes = requests.filter((r) => r.sessionScopes && r.method !== 'GET');
    expect(writes.length).toBeGreaterThanOrEqual(15);
    const failures: string[] = [];
    for (const request of writes) {
      const variants: Array<[string, { cookie: string; csrf: string }, Record<string, string>]> = [
        ['no token', { ...mine, csrf: '' }, {}],
        ["another session's token", { ...mine, csrf: other.csrf }, {}],
        ['cross-site', mine, { 'sec-fetch-site': 'cross-site' }],
        ['foreign origin', mine, { origin: 'https://evil.example' }],
      ];
      for (const [name, session, extra] of variants) {
        const headers: Record<string, string> = { cookie: `__Host-bridge_session=${session.cookie}`, ...extra };
        if (session.csrf) headers['x-csrf-token'] = session.csrf;
        if (request.contentType) headers['content-type'] = request.contentType;
        const res = await fetch(`${atina.url}${request.path}`, { method: request.method, headers, body: request.body ?? null });
        const code = res.headers.get('content-type')?.startsWith('application/problem+json') ? ((await res.json()) as { code: string }).code : undefined;
        if (res.status !== 403 || code !== 'csrf_rejected') failures.push(`${request.operationId} ${name}: ${res.status} ${code}`);
      }
    }
    expect(failures).toEqual([]);
    // The session itself is still fine: the refusals changed nothing.
    const session = await fetch(`${atina.url}/v1/auth/session`, { headers: { cookie: `__Host-bridge_session=${mine.cookie}` } });
    expect(session.status).toBe(200);
  });

  it('prints the matrix', () => {
    const header = ['operation', 'required', ...callers.map((c) => c.name)];
    const rows = requests.map((r) => [`${r.method} ${operationPath(r)}`, [r.scopes?.join('|') ?? '-', r.sessionScopes ? `session:${r.sessionScopes.join('|') || 'any'}` : ''].filter(Boolean).join(' '), ...callers.map((c) => String(answers.get(`${r.operationId}|${c.name}`)!.status))]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
    console.log(`authorization matrix (HTTP status per operation and caller):\n${table}`);
    expect(rows.length).toBe(requests.length);
  });
});

describe('scopes come from the contract only', () => {
  it('gives a bearer route the scopes the contract states', () => {
    expect(scopesFor({ method: 'GET', url: operations.getReferral.fastifyPath, config: {} })).toEqual(['referrals:read']);
    expect(scopesFor({ method: 'HEAD', url: operations.listOutboxMessages.fastifyPath, config: {} })).toEqual(['admin']);
  });

  it('refuses to register a bearer route the contract does not give a scope, or one that names another scope', () => {
    expect(() => scopesFor({ method: 'GET', url: '/v1/not-in-contract', config: {} })).toThrow(/gives it no bearerAuth scope/);
    expect(() => scopesFor({ method: 'GET', url: operations.getHealth.fastifyPath, config: {} })).toThrow(/gives it no bearerAuth scope/);
    expect(() => scopesFor({ method: 'GET', url: operations.getReferral.fastifyPath, config: { scope: 'admin' } })).toThrow(/requires referrals:read/);
  });
});

/**
 * The scopes the operation asks of this kind of caller: the session scopes of a person's session, the
 * bearer scopes of a token; null when the operation does not accept that kind of credential at all.
 */
function requiredFor(request: ContractRequest, caller: Caller): readonly string[] | null {
  return caller.session ? request.sessionScopes : request.scopes;
}

function expectation(request: ContractRequest, caller: Caller): 'allowed' | 'unauthorized' | 'forbidden' {
  if (!request.scopes && !request.sessionScopes) return 'allowed';
  if (caller.scopes === 'none' || caller.scopes === 'invalid') return 'unauthorized';
  // A bearer token on an operation only people may call (cookieAuth only: getSession, createUser,
  // signOut, ...), or a session on one only clients may call: the credential is not one the operation
  // accepts at all, so the node answers 401 `unauthorized` (not 403: no scope of that kind would help)
  // and names no scopes.
  const required = requiredFor(request, caller);
  if (required === null) return 'unauthorized';
  if (required.length === 0) return 'allowed';
  return required.some((s) => (caller.scopes as string[]).includes(s)) ? 'allowed' : 'forbidden';
}

function problemCode(answer: Answer): string | undefined {
  if (!answer.contentType.startsWith('application/problem+json')) return undefined;
  return (JSON.parse(answer.body) as { code?: string }).code;
}

/**
 * A 403 names the scopes the operation accepts, in `requiredScopes` and in the detail, so the caller
 * knows which token to ask for; a 401 names none (the token is not trusted to say what it lacks).
 */
function namesScopes(answer: Answer, scopes: readonly string[] | undefined): boolean {
  const problem = JSON.parse(answer.body) as { detail?: string; requiredScopes?: string[] };
  if (!scopes) return problem.requiredScopes === undefined;
  return JSON.stringify(problem.requiredScopes) === JSON.stringify(scopes) && scopes.every((s) => problem.detail?.includes(`"${s}"`));
}

/** The operation's path as the contract writes it, with `{parameters}`. */
const operationPath = (request: ContractRequest): string => operations[request.operationId].path;

/** A problem body without what legitimately differs between two requests: request id, instance, the id. */
function comparable(body: string, id: string | undefined): unknown {
  const { requestId: _r, instance: _i, ...rest } = JSON.parse(body) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest).replaceAll(id ?? '\u0000', '<id>').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>'));
}

async function call(node: TestNode, request: ContractRequest, caller: Pick<Caller, 'token' | 'session'> | string | undefined): Promise<Answer> {
  const { token, session } = typeof caller === 'object' ? caller : { token: caller, session: undefined };
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (session) Object.assign(headers, { cookie: `__Host-bridge_session=${session.cookie}`, 'x-csrf-token': session.csrf });
  if (request.contentType) headers['content-type'] = request.contentType;
  const res = await fetch(`${listenerUrl(node, request.path)}${request.path}`, { method: request.method, headers, body: request.body ?? null });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}
