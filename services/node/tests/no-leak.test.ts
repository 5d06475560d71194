import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, type MessageClaims } from '@bridge/crypto';
import { demoReferral } from '../src/demo/scenario.ts';
import { defaultDelivery } from '../src/config.ts';
import { runBridge, type CliRun } from './support/cli.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { requestBody } from './support/state.ts';
import { forgeStatus } from './support/lifecycle.ts';
import { inboundMessages } from '../src/db/schema/index.ts';
import { startPair, usePair, waitFor, type TestNode } from './support/nodes.ts';
import { createTestDatabase } from './support/databases.ts';

/**
 * Marker values pushed through every path a request, a message or a command can take. None of
 * them may appear in any log line of either node, in any error body, in /metrics, or in anything
 * the CLI prints (apart from the one line whose purpose is to print a new token).
 */
const PERSON = {
  givenName: 'Qxgivenmarker',
  familyName: 'Qxfamilymarker',
  localId: 'QX-LOCALID-90817',
  birthDate: '1913-07-19',
  documentNumber: 'QXDOC5521034',
  urgentHealthNeeds: 'Qxhealthmarker needs care',
};
const NOTE = 'Qxnotemarker: lives with her aunt';
const BAD_FIELD = 'Qxbadfieldmarker';
const PASSWORD = 'Qxdbpasswordmarker';

describe('no personal data, secret or key material leaves through logs, errors or metrics', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  const errorBodies: string[] = [];
  const cliOutput: string[] = [];
  const markers: Record<string, string> = { ...PERSON, note: NOTE, badField: BAD_FIELD, password: PASSWORD };
  let metrics = '';

  async function expectError(res: Promise<{ status: number; body: unknown }>, status: number | '4xx'): Promise<void> {
    const answer = await res;
    if (status === '4xx') expect(answer.status).toBeGreaterThanOrEqual(400);
    else expect(answer.status).toBe(status);
    errorBodies.push(JSON.stringify(answer.body));
  }

  async function raw(node: TestNode, method: string, path: string, body: string, token: string, contentType = 'application/json'): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${node.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    return { status: res.status, body: await res.text() };
  }

  beforeAll(async () => {
    [atina, pvpt] = await startPair();
    for (const node of [atina, pvpt]) {
      const { pseudonymSecret } = node.node.ctx.config;
      for (const record of Object.values(node.storedKeys).flat()) markers[`${node.id} ${record.purpose} key ${record.kid}`] = record.jwk.d;
      markers[`${node.id} pseudonym secret`] = pseudonymSecret;
    }
    const token = await atina.token(['referrals:read', 'referrals:write']);
    const adminToken = await atina.token(['admin']);
    markers.token = token;
    markers.adminToken = adminToken;
    const now = new Date();
    const demo = demoReferral(now);
    const input = {
      ...demo,
      person: { ...demo.person, ...PERSON },
      note: NOTE,
      consent: { ...demo.consent, dataCategories: [...demo.consent.dataCategories, 'DOCUMENTS' as const] },
    };

    // 1. A referral with every marker, exchanged with pvpt and withdrawn again.
    const created = await atina.api('POST', '/v1/referrals', input, token);
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`, undefined, token)).body.status === 'received');
    const withdrawn = await atina.api('POST', `/v1/referrals/${id}/withdraw`, { reason: 'CLIENT_DECLINED', note: NOTE }, token);
    expect([200, 400]).toContain(withdrawn.status);
    if (withdrawn.status === 400) errorBodies.push(JSON.stringify(withdrawn.body));

    // 2. Validation errors with markers in the bad fields, in the body, the query and the path.
    await expectError(atina.api('POST', '/v1/referrals', { ...input, urgency: BAD_FIELD }, token), 400);
    await expectError(atina.api('POST', '/v1/referrals', { ...input, services: [BAD_FIELD] }, token), 400);
    await expectError(atina.api('POST', '/v1/referrals', { ...input, person: { ...input.person, birthDate: `${BAD_FIELD}-1913` } }, token), 400);
    await expectError(atina.api('POST', '/v1/referrals', { ...input, person: { ...input.person, gender: BAD_FIELD } }, token), 400);
    await expectError(atina.api('POST', '/v1/referrals', { ...input, [BAD_FIELD]: PERSON.givenName }, token), 400);
    await expectError(atina.api('POST', '/v1/referrals', { ...input, person: { ...input.person, givenName: 7 }, recipient: BAD_FIELD }, token), 400);
    await expectError(raw(atina, 'POST', '/v1/referrals', `{"person":{"givenName":"${PERSON.givenName}"`, token), 400);
    await expectError(raw(atina, 'POST', '/v1/referrals', `givenName=${PERSON.givenName}`, token, 'text/plain'), '4xx');
    await expectError(raw(atina, 'POST', '/v1/referrals', `<p>${PERSON.givenName}</p>`, token, 'application/xml'), 415);
    await expectError(atina.api('GET', `/v1/referrals?status=${BAD_FIELD}`, undefined, token), 400);
    await expectError(atina.api('GET', `/v1/referrals/${BAD_FIELD}`, undefined, token), 400);
    await expectError(atina.api('POST', `/v1/referrals/${id}/withdraw`, { reason: BAD_FIELD, note: NOTE }, token), 400);
    await expectError(atina.api('GET', `/admin/v1/outbox?peer=${BAD_FIELD}`, undefined, adminToken), 400);

    // 3. 404s and 401s with markers in the path and in the token.
    await expectError(atina.api('GET', `/v1/referrals/${randomUUID()}`, undefined, token), 404);
    await expectError(atina.api('GET', `/v1/${PERSON.familyName}`, undefined, token), 404);
    await expectError(atina.api('GET', `/${PERSON.givenName}?name=${PERSON.familyName}`, undefined, token), 404);
    await expectError(atina.api('GET', '/v1/referrals', undefined, `${token.slice(0, -4)}AAAA`), 401);
    await expectError(atina.api('GET', '/v1/referrals', undefined, PERSON.documentNumber), 401);

    // 4. Refused federation messages carrying markers.
    const body = requestBody('atina');
    const overDisclosing = { ...body, person: { ...(body.person as object), documentNumber: PERSON.documentNumber, givenName: PERSON.givenName }, note: NOTE };
    const toAtina = encryptionKeyOf(atina);
    await expectError(postMessage(atina, await encrypt(await signInner(requestClaims(pvpt, atina, overDisclosing), signingKeyOf(pvpt)), toAtina)), '4xx');
    const stranger = await generateKey('signing', new Date(Date.now() - 60_000));
    await expectError(postMessage(atina, await encrypt(await signInner(requestClaims(pvpt, atina, overDisclosing), stranger), toAtina)), '4xx');
    const badSchema = { ...body, urgency: BAD_FIELD, person: { ...(body.person as object), givenName: PERSON.givenName } };
    await expectError(postMessage(atina, await encrypt(await signInner(requestClaims(pvpt, atina, badSchema), signingKeyOf(pvpt)), toAtina)), '4xx');
    await expectError(postMessage(atina, `${PERSON.givenName}.${PERSON.familyName}.a.b.c`), '4xx');
    await expectError(postMessage(atina, JSON.stringify(PERSON), 'application/json'), '4xx');

    // 5. A 500, provoked safely: the database refuses the insert with a message quoting the row.
    await atina.node.ctx.db.execute(sql.raw(`
      create function qx_leak() returns trigger language plpgsql as $$
      begin raise exception 'refused row %', row_to_json(new)::text; end $$;
      create trigger qx_leak before insert on referrals for each row execute function qx_leak();`));
    await expectError(atina.api('POST', '/v1/referrals', input, token), 500);
    // and the same on the receiving side: pvpt cannot store what atina delivers, atina retries
    await pvpt.node.ctx.db.execute(sql.raw(`
      create function qx_leak() returns trigger language plpgsql as $$
      begin raise exception 'refused row %', row_to_json(new)::text; end $$;
      create trigger qx_leak before insert on referrals for each row execute function qx_leak();`));
    await atina.node.ctx.db.execute(sql.raw('drop trigger qx_leak on referrals'));
    const second = await atina.api('POST', '/v1/referrals', input, token);
    expect(second.status).toBe(201);
    await waitFor(async () => atina.logs.some((l) => l.includes('delivery failed')), 30_000);
    await pvpt.node.ctx.db.execute(sql.raw('drop trigger qx_leak on referrals'));
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${second.body.id}`, undefined, token)).body.status === 'received', 30_000);

    // 6. The CLI, with a database password and a client token to keep to itself.
    const dir = await mkdtemp(join(tmpdir(), 'bridge-noleak-'));
    const dataDir = join(dir, 'node');
    const unreachable = `postgres://postgres:${PASSWORD}@127.0.0.1:1/nowhere`;
    const runs: CliRun[] = [];
    runs.push(await runBridge(['init', '--node-id', 'qxnode', '--data-dir', dataDir, '--public-url', 'http://127.0.0.1:1']));
    runs.push(await runBridge(['clients', 'list', '--data-dir', dataDir], { DATABASE_URL: unreachable }));
    runs.push(await runBridge(['clients', 'create', '--data-dir', dataDir, '--name', 'x', '--scopes', 'admin'], { DATABASE_URL: unreachable }));
    runs.push(await runBridge(['peers', 'list', '--data-dir', dataDir], { DATABASE_URL: `postgres://postgres:${PASSWORD}@` }));
    runs.push(await runBridge(['serve', '--data-dir', dataDir, '--federation-port', '1'], { DATABASE_URL: `mysql://root:${PASSWORD}@db/x` }));
    const database = await createTestDatabase();
    const created2 = await runBridge(['clients', 'create', '--data-dir', dataDir, '--name', 'qx', '--scopes', 'referrals:read'], { DATABASE_URL: database });
    expect(created2.code).toBe(0);
    const newToken = created2.stdout.trim();
    markers.cliToken = newToken;
    // its one purpose is to print the token on stdout, once; stderr and everything else stay clean
    runs.push({ ...created2, stdout: '' });
    runs.push(await runBridge(['clients', 'list', '--data-dir', dataDir], { DATABASE_URL: database }));
    runs.push(await runBridge(['outbox', 'list', '--data-dir', dataDir], { DATABASE_URL: database }));
    runs.push(await runBridge(['clients', 'revoke', PERSON.givenName, '--data-dir', dataDir], { DATABASE_URL: database }));
    for (const run of runs) cliOutput.push(`${run.stdout}\n${run.stderr}`);
    // the keys the command created are markers too
    const { openDataDir } = await import('../src/data-dir.ts');
    const { TEST_KEYS_SECRET } = await import('./support/keys-secret.ts');
    for (const record of Object.values((await openDataDir(dataDir, TEST_KEYS_SECRET)).stored.keys).flat()) markers[`qxnode ${record.purpose} key`] = record.jwk.d;

    metrics = (await (await fetch(`${atina.url}/metrics`)).text()) + (await (await fetch(`${pvpt.url}/metrics`)).text());
  }, 180_000);

  afterAll(async () => {
    await Promise.all([atina?.stop(), pvpt?.stop()]);
  });

  /** Marker names found in `text`: each marker, and its JSON-escaped and URL-encoded forms. */
  function found(text: string): string[] {
    return Object.entries(markers)
      .filter(([, value]) => [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)].some((form) => text.includes(form)))
      .map(([name]) => name);
  }

  it('pushed every path: both nodes logged, errors were answered, the CLI ran', () => {
    expect(atina.logs.length).toBeGreaterThan(20);
    expect(pvpt.logs.length).toBeGreaterThan(5);
    expect(errorBodies.length).toBeGreaterThanOrEqual(24);
    expect(cliOutput.length).toBeGreaterThanOrEqual(8);
    expect(metrics).toContain('bridge_messages_refused_total');
    // debug level: request and response lines, refusals, delivery failures and the 500 are all there
    expect(atina.logs.some((l) => l.includes('"unhandled error"'))).toBe(true);
    expect(atina.logs.some((l) => l.includes('"message refused"'))).toBe(true);
  });

  it('carries the request id on every log line written while serving a request', () => {
    const lines = [...atina.logs, ...pvpt.logs].map((l) => JSON.parse(l) as { msg: string; reqId?: string });
    const requestLines = lines.filter((l) => ['incoming request', 'request completed', 'message refused', 'unhandled error'].includes(l.msg));
    expect(requestLines.length).toBeGreaterThan(40);
    expect(requestLines.filter((l) => !l.reqId)).toEqual([]);
    // lines without one come from background work only: the outbox, start-up, metrics
    const background = new Set(lines.filter((l) => !l.reqId).map((l) => l.msg.replace(/http:\/\/\S+/, '<url>')));
    expect([...background].filter((m) => !/^(message delivered|delivery failed|message dead-lettered|Server listening at <url>|outbox listener .*|could not count outbox messages)$/.test(m))).toEqual([]);
  });

  it('logs of both nodes contain no marker', () => {
    const leaks = [...atina.logs, ...pvpt.logs].flatMap((line) => found(line).map((name) => `${name} in: ${line.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });

  it('error bodies contain no marker', () => {
    const leaks = errorBodies.flatMap((body) => found(body).map((name) => `${name} in: ${body.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });

  it('/metrics contains no marker', () => {
    expect(found(metrics)).toEqual([]);
  });

  it('CLI output contains no marker', () => {
    const leaks = cliOutput.flatMap((out) => found(out).map((name) => `${name} in: ${out.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });
});

/** Everything the receiver stores about referrals, where the person's data could linger. */
async function receiverTables(node: TestNode): Promise<string> {
  const rows = await node.node.ctx.db.execute(sql.raw(`
    select json_build_array(
      (select json_agg(r) from referrals r), (select json_agg(h) from referral_status_history h),
      (select json_agg(i) from info_requests i), (select json_agg(o) from outbox_messages o),
      (select json_agg(k) from idempotency_keys k), (select json_agg(m) from inbound_messages m),
      (select json_agg(e) from events e), (select json_agg(a) from audit_events a))::text as all`));
  return String((rows.rows[0] as { all: string }).all);
}

/**
 * The same sweep over the lifecycle, disclosure, questions, consent revocation and erasure, the
 * event feed and webhooks: markers in the person, in every note and text, in webhook URLs and in what
 * a failing webhook receiver answers, pushed through the legal paths and their refusals. None may
 * appear in a log line, an error body, /metrics, the event feed, a webhook body, a `last_error` or
 * an audit detail; after the consent is revoked, none may remain in the receiver's tables.
 */
describe('no leak through the lifecycle, disclosure, questions, erasure, events and webhooks', () => {
  const WHO = {
    givenName: 'Qwgivenmarker',
    familyName: 'Qwfamilymarker',
    localId: 'QW-LOCALID-31415',
    birthDate: '1911-03-23',
    documentNumber: 'QWDOC7730912',
  };
  /** Free text about the person: notes of every transition, questions and answers. */
  const TEXT = {
    note: 'Qwreferralnote',
    accept: 'Qwacceptnote',
    start: 'Qwstartnote',
    hold: 'Qwholdnote',
    illegal: 'Qwillegalnote',
    forged: 'Qwforgednote',
    failed: 'Qwfailednote',
    question: 'Qwquestionmarker',
    answer: 'Qwanswermarker',
    refused: 'Qwrefusedquestion',
    late: 'Qwlatequestion',
    senderLate: 'Qwsenderlatenote',
    homeNote: 'Qwhomenote',
  };
  const HOOK = { path: 'Qwurlpathmarker', query: 'Qwurlquerymarker', user: 'Qwurlusermarker', answer: 'Qwreceiveranswer' };
  const BAD = 'Qwbadfieldmarker';
  const markers: Record<string, string> = { ...WHO, ...TEXT, ...Object.fromEntries(Object.entries(HOOK).map(([k, v]) => [`hook ${k}`, v])), bad: BAD };
  const personal: Record<string, string> = { ...WHO, ...TEXT };
  let atina: TestNode;
  let pvpt: TestNode;
  let id = '';
  const errorBodies: string[] = [];
  const hookBodies: string[] = [];
  const feeds: string[] = [];
  let metrics = '';
  let beforeErasure = '';
  let afterErasure = '';
  let stored: { atina: StoredTexts; pvpt: StoredTexts } | undefined;
  const closers: (() => Promise<void>)[] = [];

  interface StoredTexts {
    outboxErrors: (string | null)[];
    webhookErrors: (string | null)[];
    audit: string;
    events: string;
  }

  async function expectError(res: Promise<{ status: number; body: unknown }>, status: number): Promise<void> {
    const answer = await res;
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    errorBodies.push(JSON.stringify(answer.body));
  }

  async function withKey(node: TestNode, path: string, body: unknown, token: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${node.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /** A webhook receiver that answers every delivery with `status` and a body quoting personal data. */
  async function hookReceiver(status: number): Promise<string> {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hookBodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `${HOOK.answer} for ${WHO.givenName} ${WHO.familyName}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  async function storedTexts(node: TestNode): Promise<StoredTexts> {
    const { db } = node.node.ctx;
    const column = async (table: string) => ((await db.execute(sql.raw(`select last_error from ${table}`))).rows as { last_error: string | null }[]).map((r) => r.last_error);
    const text = async (query: string) => String(((await db.execute(sql.raw(query))).rows[0] as { t: string | null }).t ?? '');
    return {
      outboxErrors: await column('outbox_messages'),
      webhookErrors: await column('webhook_deliveries'),
      audit: await text('select json_agg(json_build_object(\'type\', type, \'actor\', actor, \'detail\', detail))::text as t from audit_events'),
      events: await text('select json_agg(e)::text as t from events e'),
    };
  }

  /** The whole event feed of a node, page by page. */
  async function feed(node: TestNode, token: string): Promise<string> {
    const pages: unknown[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await node.api('GET', `/v1/events?limit=100${after ? `&after=${after}` : ''}`, undefined, token);
      expect(page.status).toBe(200);
      pages.push(page.body);
      if (page.body.items.length === 0) return JSON.stringify(pages);
      after = page.body.nextCursor;
    }
  }

  beforeAll(async () => {
    [atina, pvpt] = await startPair();
    for (const node of [atina, pvpt]) {
      const { pseudonymSecret } = node.node.ctx.config;
      for (const record of Object.values(node.storedKeys).flat()) markers[`${node.id} ${record.purpose} key ${record.kid}`] = record.jwk.d;
      markers[`${node.id} pseudonym secret`] = pseudonymSecret;
    }
    const a = await atina.token(['referrals:read', 'referrals:write']);
    const p = await pvpt.token(['referrals:read', 'referrals:write']);
    const aAdmin = await atina.token(['admin']);
    const pAdmin = await pvpt.token(['admin']);
    Object.assign(markers, { atinaToken: a, pvptToken: p, atinaAdmin: aAdmin, pvptAdmin: pAdmin });

    // 1. Webhooks: a receiver that takes everything on each node, one on atina that fails with
    // personal data in its answer, behind a URL with markers in path and query; refused URLs.
    const ok = await hookReceiver(204);
    const failing = await hookReceiver(500);
    const hooks = [
      [atina, aAdmin, `${ok}/all`],
      [pvpt, pAdmin, `${ok}/pvpt`],
      [atina, aAdmin, `${failing}/hooks/${HOOK.path}?case=${HOOK.query}`],
      // nothing listens there: the network error quotes the URL, the node must not
      [pvpt, pAdmin, `http://127.0.0.1:1/${HOOK.path}/${WHO.familyName}`],
    ] as const;
    for (const [node, admin, url] of hooks) {
      const created = await node.api('POST', '/v1/webhooks', { url }, admin);
      expect(created.status).toBe(201);
      markers[`${node.id} webhook secret ${created.body.id}`] = created.body.secret;
      markers[`${node.id} webhook secret key ${created.body.id}`] = String(created.body.secret).slice('whsec_'.length);
    }
    await expectError(atina.api('POST', '/v1/webhooks', { url: `https://${HOOK.user}:${WHO.documentNumber}@cases.example/${HOOK.path}` }, aAdmin), 400);
    await expectError(atina.api('POST', '/v1/webhooks', { url: `ftp://cases.example/${HOOK.path}?n=${WHO.givenName}` }, aAdmin), 400);
    await expectError(atina.api('POST', '/v1/webhooks', { url: `${WHO.givenName} ${WHO.familyName}` }, aAdmin), 400);
    await expectError(atina.api('POST', '/v1/webhooks', { url: `${ok}/x`, eventTypes: [BAD] }, aAdmin), 400);
    await expectError(atina.api('DELETE', `/v1/webhooks/${BAD}`, undefined, aAdmin), 400);
    await expectError(atina.api('GET', `/v1/events?after=${Buffer.from(`seq.${WHO.givenName}`).toString('base64url')}`, undefined, a), 400);
    await expectError(atina.api('GET', `/v1/events?after=${WHO.familyName}`, undefined, a), 400);

    // 2. A referral with every marker; documents and case notes consented.
    const demo = demoReferral(new Date());
    const input = {
      ...demo,
      services: ['LEGAL_STATUS_AND_DOCUMENTS'],
      person: { ...demo.person, ...WHO },
      note: TEXT.note,
      consent: { ...demo.consent, services: ['LEGAL_STATUS_AND_DOCUMENTS'], dataCategories: ['IDENTITY', 'AGE', 'NATIONALITY', 'DOCUMENTS', 'CASE_NOTES'] },
    };
    const created = await withKey(atina, '/v1/referrals', input, a);
    expect(created.status).toBe(201);
    id = created.body.id;
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`, undefined, p)).status === 200, 30_000);
    const path = (action: string) => `/v1/referrals/${id}/${action}`;

    // 3. Illegal transitions and invalid bodies, each with a marker note; disclosure before acceptance.
    await expectError(atina.api('POST', path('accept'), { note: TEXT.illegal }, a), 409);
    await expectError(pvpt.api('POST', path('complete'), { outcome: 'SERVICE_PROVIDED', note: TEXT.illegal }, p), 409);
    await expectError(pvpt.api('POST', path('start'), { note: TEXT.illegal }, p), 409);
    await expectError(pvpt.api('POST', path('entered-in-error'), { note: TEXT.illegal }, p), 409);
    await expectError(pvpt.api('POST', path('reject'), { reason: BAD, note: TEXT.illegal }, p), 400);
    await expectError(pvpt.api('POST', path('complete'), { outcome: WHO.givenName, note: TEXT.illegal }, p), 400);
    await expectError(pvpt.api('POST', path('accept'), { note: TEXT.illegal, [BAD]: WHO.familyName }, p), 400);
    await expectError(pvpt.api('POST', path('hold'), { note: { text: TEXT.illegal } }, p), 400);
    await expectError(atina.api('POST', path('disclose'), { fields: ['documentNumber'] }, a), 409);
    await expectError(pvpt.api('POST', `/v1/referrals/${BAD}/accept`, { note: TEXT.illegal }, p), 400);
    await expectError(pvpt.api('POST', `/v1/referrals/${randomUUID()}/accept`, { note: TEXT.illegal }, p), 404);

    // 4. The legal lifecycle, with notes; disclosure within and beyond the rule.
    expect((await withKey(pvpt, path('accept'), { note: TEXT.accept }, p)).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`, undefined, a)).body.status === 'accepted', 30_000);
    await expectError(atina.api('POST', path('disclose'), { fields: ['gender'] }, a), 422);
    await expectError(atina.api('POST', path('disclose'), { fields: [WHO.givenName] }, a), 400);
    await expectError(pvpt.api('POST', path('disclose'), { fields: ['documentNumber'] }, p), 409);
    expect((await withKey(atina, path('disclose'), { fields: ['documentNumber'] }, a)).status).toBe(200);
    expect((await withKey(pvpt, path('start'), { note: TEXT.start }, p)).status).toBe(200);
    expect((await withKey(pvpt, path('hold'), { note: TEXT.hold }, p)).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`, undefined, a)).body.status === 'on-hold', 30_000);

    // 5. Questions and answers, and their refusals.
    const asked = await withKey(pvpt, path('info-requests'), { text: TEXT.question }, p);
    expect(asked.status).toBe(201);
    await waitFor(async () => (await atina.api('GET', path('info-requests'), undefined, a)).body.items.length === 1, 30_000);
    await expectError(pvpt.api('POST', `${path('info-requests')}/${asked.body.id}/answer`, { text: TEXT.answer }, p), 409);
    await expectError(atina.api('POST', `${path('info-requests')}/${randomUUID()}/answer`, { text: TEXT.answer }, a), 404);
    await expectError(atina.api('POST', `${path('info-requests')}/${BAD}/answer`, { text: TEXT.answer }, a), 400);
    await expectError(atina.api('POST', path('info-requests'), { text: TEXT.refused, [BAD]: 1 }, a), 400);
    await expectError(atina.api('POST', path('info-requests'), { text: TEXT.refused.repeat(200) }, a), 400);
    expect((await withKey(atina, `${path('info-requests')}/${asked.body.id}/answer`, { text: TEXT.answer }, a)).status).toBe(200);
    await expectError(atina.api('POST', `${path('info-requests')}/${asked.body.id}/answer`, { text: TEXT.answer }, a), 409);
    await waitFor(async () => (await pvpt.api('GET', path('info-requests'), undefined, p)).body.items[0]?.answer === TEXT.answer, 30_000);

    // 6. Forged messages with marker notes and texts, refused by the receiver.
    await expectError(forgeStatus(pvpt, atina, id, { status: 'accepted', note: TEXT.forged }), 409);
    await expectError(forgeStatus(pvpt, atina, id, { status: 'rejected', reason: BAD, note: TEXT.forged }), 422);
    await expectError(forgeStatus(atina, pvpt, id, { status: 'in-progress', note: TEXT.forged }), 409);
    await expectError(forgeStatus(pvpt, atina, id, { status: 'completed', reason: 'SERVICE_PROVIDED', note: TEXT.forged, [BAD]: WHO.givenName }), 422);

    // 7. A 500 on a transition: pvpt's database refuses the history row, quoting it.
    await pvpt.node.ctx.db.execute(sql.raw(`
      create function qw_leak() returns trigger language plpgsql as $$
      begin raise exception 'refused row %', row_to_json(new)::text; end $$;
      create trigger qw_leak before insert on referral_status_history for each row execute function qw_leak();`));
    await expectError(pvpt.api('POST', path('start'), { note: TEXT.failed }, p), 500);
    await pvpt.node.ctx.db.execute(sql.raw('drop trigger qw_leak on referral_status_history'));

    // 8. A referral whose consent does not cover case notes: texts refused on both sides.
    const narrow = { ...input, person: demo.person, note: undefined, consent: { ...input.consent, dataCategories: ['IDENTITY'] } };
    const other = await atina.api('POST', '/v1/referrals', narrow, a);
    expect(other.status).toBe(201);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${other.body.id}`, undefined, p)).status === 200, 30_000);
    await expectError(atina.api('POST', `/v1/referrals/${other.body.id}/info-requests`, { text: TEXT.refused }, a), 422);
    const [last] = await pvpt.node.ctx.db
      .select()
      .from(inboundMessages)
      .where(and(eq(inboundMessages.issuer, 'atina'), eq(inboundMessages.referralId, other.body.id)))
      .orderBy(desc(inboundMessages.seq))
      .limit(1);
    const follow = (type: MessageClaims['type'], body: Record<string, unknown>) =>
      requestClaims(atina, pvpt, body, { type, referralId: other.body.id, seq: last!.seq + 1, prev: last!.contentDigest as `sha-256:${string}` });
    await expectError(postMessage(pvpt, await encrypt(await signInner(follow('referral.info-request', { questionId: randomUUID(), text: TEXT.refused }), signingKeyOf(atina)), encryptionKeyOf(pvpt))), 422);
    await expectError(postMessage(pvpt, await encrypt(await signInner(follow('referral.disclose', { person: { documentNumber: WHO.documentNumber } }), signingKeyOf(atina)), encryptionKeyOf(pvpt))), 409);
    // pvpt's own note on it stays home (the consent does not cover notes), and is still a marker
    expect((await pvpt.api('POST', `/v1/referrals/${other.body.id}/accept`, { note: TEXT.homeNote }, p)).status).toBe(200);

    // 9. The consent is revoked: pvpt erases and confirms; texts are refused afterwards.
    beforeErasure = await receiverTables(pvpt);
    await expectError(atina.api('POST', path('consent/revoke'), { reason: BAD }, a), 400);
    await expectError(pvpt.api('POST', path('consent/revoke'), {}, p), 409);
    expect((await withKey(atina, path('consent/revoke'), { reason: 'WITHDRAWN_IN_WRITING' }, a)).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`, undefined, a)).body.erasureConfirmedAt !== undefined, 30_000);
    await expectError(pvpt.api('POST', path('info-requests'), { text: TEXT.late }, p), 422);
    await expectError(atina.api('POST', path('disclose'), { fields: ['birthDate'] }, a), 422);
    await expectError(atina.api('POST', path('consent/revoke'), {}, a), 422);
    // the case can still be closed, but a note about the person is neither kept nor sent any more
    await expectError(pvpt.api('POST', path('fail'), { note: TEXT.late }, p), 422);
    expect((await pvpt.api('POST', path('fail'), {}, p)).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`, undefined, a)).body.status === 'failed', 30_000);
    // the sender keeps its own note after the revocation, but it no longer crosses
    expect((await atina.api('POST', path('entered-in-error'), { note: TEXT.senderLate }, a)).status).toBe(200);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`, undefined, p)).body.status === 'entered-in-error', 30_000);
    afterErasure = await receiverTables(pvpt);

    // 10. The failing webhook was tried more than once; then read what is left behind.
    await waitFor(async () => (await atina.node.ctx.db.execute(sql.raw(`select 1 from webhook_deliveries where attempts >= 2 and last_error = 'http_500'`))).rows.length > 0, 30_000);
    await waitFor(async () => hookBodies.length >= 10, 30_000);
    await waitFor(async () => (await pvpt.node.ctx.db.execute(sql.raw(`select 1 from webhook_deliveries where last_error like 'network%'`))).rows.length > 0, 30_000);
    feeds.push(await feed(atina, a), await feed(pvpt, p));
    // what operators see of messages and deliveries: states, ids and error codes
    for (const [node, admin] of [[atina, aAdmin], [pvpt, pAdmin]] as const) {
      for (const listing of ['/admin/v1/outbox?limit=200', '/admin/v1/webhook-deliveries?limit=200']) {
        const res = await node.api('GET', listing, undefined, admin);
        expect(res.status).toBe(200);
        feeds.push(JSON.stringify(res.body));
      }
    }
    stored = { atina: await storedTexts(atina), pvpt: await storedTexts(pvpt) };
    metrics = (await (await fetch(`${atina.url}/metrics`)).text()) + (await (await fetch(`${pvpt.url}/metrics`)).text());
  }, 240_000);

  afterAll(async () => {
    await Promise.all([atina?.stop(), pvpt?.stop(), ...closers.map((close) => close())]);
  });

  function found(text: string, among: Record<string, string> = markers): string[] {
    return Object.entries(among)
      .filter(([, value]) => [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)].some((form) => text.includes(form)))
      .map(([name]) => name);
  }

  it('pushed every path: errors answered, webhooks tried, the receiver held the data before erasure', () => {
    expect(errorBodies.length).toBeGreaterThanOrEqual(40);
    expect(hookBodies.length).toBeGreaterThanOrEqual(10);
    expect(feeds.join('')).toContain('referral.status_changed');
    expect(stored!.atina.webhookErrors).toContain('http_500');
    expect(metrics).toContain('bridge_webhook');
    // the lines that could have quoted something were written: refusals, failed deliveries, the 500
    const logs = [...atina.logs, ...pvpt.logs].join('\n');
    for (const msg of ['"message refused"', '"webhook delivery failed"', '"unhandled error"']) expect(logs).toContain(msg);
    // the check after erasure is not vacuous: every text and person field was in pvpt's tables
    const held = ['givenName', 'familyName', 'birthDate', 'documentNumber', 'note', 'accept', 'start', 'hold', 'question', 'answer'];
    expect(found(beforeErasure, personal).filter((m) => held.includes(m)).sort()).toEqual([...held].sort());
  });

  it('logs of both nodes contain no marker', () => {
    const leaks = [...atina.logs, ...pvpt.logs].flatMap((line) => found(line).map((name) => `${name} in: ${line.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });

  it('error bodies contain no marker', () => {
    const leaks = errorBodies.flatMap((body) => found(body).map((name) => `${name} in: ${body.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });

  it('/metrics contains no marker', () => {
    expect(found(metrics)).toEqual([]);
  });

  it('the event feeds, the admin listings, the events table and every webhook body carry no marker', () => {
    expect(feeds.flatMap((f) => found(f))).toEqual([]);
    expect(found(stored!.atina.events + stored!.pvpt.events)).toEqual([]);
    expect(hookBodies.flatMap((b) => found(b).map((name) => `${name} in: ${b.slice(0, 300)}`))).toEqual([]);
  });

  it('last_error of outbox messages and webhook deliveries, and audit details, carry no marker', () => {
    for (const side of [stored!.atina, stored!.pvpt]) {
      expect(found(JSON.stringify(side.outboxErrors))).toEqual([]);
      expect(found(JSON.stringify(side.webhookErrors))).toEqual([]);
      expect(found(side.audit).map((name) => `${name} in audit`)).toEqual([]);
    }
  });

  it("after the revocation, the receiver's tables hold none of the person's data or texts of that referral", () => {
    // The other referral (consent intact) legitimately keeps its own note at home.
    expect(found(afterErasure, personal).filter((m) => m !== 'homeNote')).toEqual([]);
  });
});

describe('a message on its way when the consent is revoked keeps no personal data once it is gone', () => {
  const PENDING = { note: 'Qwpendingnote', forged: 'Qwarrivinglatenote', referralNote: 'Qwpendingreferral', givenName: 'Qwpendinggiven', documentNumber: 'QWPENDINGDOC' };
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it("empties the body of the receiver's status message delivered after the erasure, and keeps no note arriving later", async () => {
    const demo = demoReferral(new Date());
    const created = await atina.api('POST', '/v1/referrals', {
      ...demo,
      person: { ...demo.person, givenName: PENDING.givenName, documentNumber: PENDING.documentNumber },
      note: PENDING.referralNote,
      consent: { ...demo.consent, dataCategories: [...demo.consent.dataCategories, 'DOCUMENTS' as const] },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'received', 30_000);
    expect((await pvpt.api('POST', `/v1/referrals/${id}/accept`, {})).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'accepted', 30_000);

    // atina cannot store pvpt's next change for now (its database quotes the row in the refusal)
    await atina.node.ctx.db.execute(sql.raw(`
      create function qw_hold() returns trigger language plpgsql as $$
      begin raise exception 'refused row %', row_to_json(new)::text; end $$;
      create trigger qw_hold before insert on referral_status_history for each row execute function qw_hold();`));
    expect((await pvpt.api('POST', `/v1/referrals/${id}/start`, { note: PENDING.note })).status).toBe(200);
    await waitFor(async () => (await pvpt.node.ctx.db.execute(sql.raw(`select 1 from outbox_messages where last_error = 'internal_error'`))).rows.length > 0, 30_000);

    // the person withdraws her consent while pvpt's message, with its note, is still on its way
    expect((await atina.api('POST', `/v1/referrals/${id}/consent/revoke`, { reason: 'WITHDRAWN_IN_WRITING' })).status).toBe(200);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`)).body.erasedAt !== undefined, 30_000);
    await atina.node.ctx.db.execute(sql.raw('drop trigger qw_hold on referral_status_history'));
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.erasureConfirmedAt !== undefined, 60_000);

    // a note arriving after the erasure (the peer wrote it before it knew) is not kept either
    expect((await forgeStatus(atina, pvpt, id, { status: 'entered-in-error', note: PENDING.forged })).status).toBe(200);
    expect((await pvpt.api('GET', `/v1/referrals/${id}`)).body.status).toBe('entered-in-error');
    const left = await receiverTables(pvpt);
    expect(Object.entries(PENDING).filter(([, v]) => left.includes(v)).map(([k]) => k)).toEqual([]);
    const logs = [...atina.logs, ...pvpt.logs].join('\n');
    expect(Object.entries(PENDING).filter(([, v]) => logs.includes(v)).map(([k]) => k)).toEqual([]);
  }, 120_000);
});

describe('a message given up when the consent is revoked keeps no personal data either', () => {
  const DEAD = { before: 'Qwdeadbeforenote', after: 'Qwdeadafternote' };
  let atina: TestNode;
  let pvpt: TestNode;
  // pvpt gives a message up after two seconds
  usePair((a, b) => ([atina, pvpt] = [a, b]), { pvpt: { config: { delivery: { ...defaultDelivery, pollIntervalMs: 100, baseDelayMs: 50, maxDelayMs: 200, deadlineMs: 2_000 } } } });

  async function accepted(): Promise<string> {
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'received', 30_000);
    expect((await pvpt.api('POST', `/v1/referrals/${id}/accept`, {})).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'accepted', 30_000);
    return id;
  }

  const deadBody = async (id: string) =>
    (await pvpt.node.ctx.db.execute(sql`select body::text as body from outbox_messages where referral_id = ${id} and type = 'referral.status' and status = 'dead'`)).rows as { body: string }[];

  it("empties the body of the receiver's message given up before the erasure, or after it", async () => {
    const before = await accepted();
    const after = await accepted();
    await atina.node.ctx.db.execute(sql.raw(`
      create function qw_dead() returns trigger language plpgsql as $$ begin raise exception 'no'; end $$;
      create trigger qw_dead before insert on referral_status_history for each row execute function qw_dead();`));
    // dead before the revocation
    expect((await pvpt.api('POST', `/v1/referrals/${before}/start`, { note: DEAD.before })).status).toBe(200);
    await waitFor(async () => (await deadBody(before)).length === 1, 30_000);
    expect((await deadBody(before))[0]!.body).toContain(DEAD.before);
    expect((await atina.api('POST', `/v1/referrals/${before}/consent/revoke`, {})).status).toBe(200);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${before}`)).body.erasedAt !== undefined, 30_000);
    expect(await deadBody(before)).toEqual([{ body: '{}' }]);
    // revoked while on its way, given up after the erasure
    expect((await pvpt.api('POST', `/v1/referrals/${after}/start`, { note: DEAD.after })).status).toBe(200);
    expect((await atina.api('POST', `/v1/referrals/${after}/consent/revoke`, {})).status).toBe(200);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${after}`)).body.erasedAt !== undefined, 30_000);
    await waitFor(async () => (await deadBody(after)).length === 1, 30_000);
    expect(await deadBody(after)).toEqual([{ body: '{}' }]);
    expect(Object.values(DEAD).filter((v) => [...atina.logs, ...pvpt.logs].some((l) => l.includes(v)))).toEqual([]);
  }, 120_000);
});
