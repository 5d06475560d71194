import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '@bridge/crypto';
import { demoReferral } from '../src/demo/scenario.ts';
import { runBridge, type CliRun } from './support/cli.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { requestBody } from './support/state.ts';
import { startPair, waitFor, type TestNode } from './support/nodes.ts';
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
      const { keys, pseudonymSecret } = node.node.ctx.config;
      for (const record of Object.values(keys).flat()) markers[`${node.id} ${record.purpose} key ${record.kid}`] = record.jwk.d!;
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
    runs.push(await runBridge(['serve', '--data-dir', dataDir, '--port', '1'], { DATABASE_URL: `mysql://root:${PASSWORD}@db/x` }));
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
    const { loadDataDir } = await import('../src/data-dir.ts');
    for (const record of Object.values((await loadDataDir(dataDir)).secrets.keys).flat()) markers[`qxnode ${record.purpose} key`] = record.jwk.d!;

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
