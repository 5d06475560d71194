import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createConfig, lint } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { generateContractFiles, guideFile, listOperations as listContractOperations, operationScopes, operationSessionScopes, renderScopeTable, repoRoot, SCOPE_TABLE_BEGIN, SCOPE_TABLE_END, withScopeTable } from '../scripts/codegen.ts';
import * as contract from '../src/index.ts';
import { collectExamples, componentName, createValidator, deref, listOperations, type Doc } from './contract-document.ts';

const doc = contract.loadContractDocument() as Doc;
const { cases, missing } = collectExamples(doc);
const validate = createValidator(doc);

/** The zod schema of each operation's parameters, by location (header names are lower case, as Node delivers them). */
const parameterSchemas: Record<string, Partial<Record<'query' | 'path' | 'header', z.ZodType>>> = {
  listReferrals: { query: contract.ListReferralsQuery },
  createReferral: { header: contract.IdempotencyKeyHeaders },
  getReferral: { path: contract.ReferralIdParams },
  withdrawReferral: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  acceptReferral: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  rejectReferral: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  startReferral: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  holdReferral: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  completeReferral: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  failReferral: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  markReferralEnteredInError: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  listOutboxMessages: { query: contract.ListOutboxQuery },
  searchAuditEvents: { query: contract.SearchAuditQuery },
  exportAuditLog: { query: contract.ExportAuditQuery },
  getAuditEventProof: { path: contract.AuditEventIdParams },
  // Both are required; each example is checked on its own.
  getAuditConsistencyProof: { query: contract.ConsistencyQuery.partial() },
  resendOutboxMessage: { path: contract.MessageIdParams },
  discardOutboxMessage: { path: contract.MessageIdParams },
  discloseReferral: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  revokeConsent: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  listInfoRequests: { path: contract.ReferralIdParams },
  createInfoRequest: { path: contract.ReferralIdParams, header: contract.IdempotencyKeyHeaders },
  answerInfoRequest: { path: contract.QuestionIdParams, header: contract.IdempotencyKeyHeaders },
  listEvents: { query: contract.ListEventsQuery },
  deleteWebhookSubscription: { path: contract.SubscriptionIdParams },
  listWebhookDeliveries: { query: contract.ListWebhookDeliveriesQuery },
  resendWebhookDelivery: { path: contract.DeliveryIdParams },
  endMySession: { path: contract.SessionIdParams },
  deletePasskey: { path: contract.PasskeyIdParams },
  getUser: { path: contract.UserIdParams },
  setUserRoles: { path: contract.UserIdParams },
  disableUser: { path: contract.UserIdParams },
  enableUser: { path: contract.UserIdParams },
  resetUser: { path: contract.UserIdParams },
  unlockUser: { path: contract.UserIdParams },
  revokeUserSessions: { path: contract.UserIdParams },
  linkUserOidc: { path: contract.UserIdParams },
  getConsolePage: { path: contract.ConsolePageParams },
  getConsoleAsset: { path: contract.ConsoleAssetParams },
};

/** The first example of every path parameter of an operation, by name. */
function pathExamples(operationId: string): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const c of cases) if (c.parameter?.operationId === operationId && c.parameter.in === 'path' && !(c.parameter.name in found)) found[c.parameter.name] = c.value;
  return found;
}

/** The zod schema exported under a component name. */
function zodFor(name: string): z.ZodType {
  const candidate = (contract as Record<string, unknown>)[name];
  if (typeof candidate !== 'object' || candidate === null || !('safeParse' in candidate)) {
    throw new Error(`no zod schema exported as ${name}`);
  }
  return candidate as z.ZodType;
}

describe('OpenAPI document', () => {
  it('passes the recommended-strict Redocly ruleset with no problems', async () => {
    const config = await createConfig({ extends: ['recommended-strict'] });
    const problems = await lint({ ref: contract.contractDocumentPath, config });
    const report = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    expect(report, report.join('\n')).toEqual([]);
  });

  it('describes every operation, with its tag and auth', () => {
    const ops = listOperations(doc);
    expect(ops.map(({ op }) => op.operationId).sort()).toEqual(Object.keys(contract.operations).sort());
    for (const { path, op } of ops) {
      const id = String(op.operationId);
      expect(op.summary, id).toEqual(expect.any(String));
      expect(op.description, id).toEqual(expect.any(String));
      expect(op.tags, id).toHaveLength(1);
      const scope = expect.stringMatching(/^(referrals:read|referrals:write|audit:read|admin)$/);
      const security = op.security as Record<string, string[]>[];
      if (path.startsWith('/v1/auth/')) {
        // People's own account operations: public (sign-in, enrolment) or any signed-in person.
        expect(security, id).toEqual(security.length === 0 ? [] : [{ cookieAuth: [] }]);
      } else if (path.startsWith('/admin/v1/users')) {
        // People's accounts are managed by people (operators), never by client tokens.
        expect(security, id).toEqual([{ cookieAuth: ['admin'] }]);
      } else if (path.startsWith('/v1/') || path.startsWith('/admin/v1/')) {
        // A bearer operation names the scope it needs (one per requirement, any of which suffices), and a
        // person's session works on it with the same scope.
        expect(security.length, id).toBeGreaterThanOrEqual(2);
        const bearer = security.filter((r) => 'bearerAuth' in r);
        for (const requirement of bearer) expect(requirement, id).toEqual({ bearerAuth: [scope] });
        expect(security.filter((r) => 'cookieAuth' in r), id).toEqual(bearer.map((r) => ({ cookieAuth: r.bearerAuth })));
      } else expect(op.security, id).toEqual([]);
      expect(op.tags, id).toEqual([path.startsWith('/admin/') ? 'admin' : expect.any(String)]);
    }
  });

  it('answers every 4XX as application/problem+json with the Problem schema', () => {
    for (const { op } of listOperations(doc)) {
      const statuses = Object.keys(op.responses as object).filter((s) => s.startsWith('4'));
      expect(statuses.length, String(op.operationId)).toBeGreaterThan(0);
      for (const status of statuses) {
        const content = deref(doc, (op.responses as Record<string, unknown>)[status]).content as Record<string, { schema: object }>;
        expect(Object.keys(content), `${String(op.operationId)} ${status}`).toEqual(['application/problem+json']);
        expect(content['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
      }
    }
  });

  it('lists the same problem codes as the zod ProblemCode', () => {
    expect(deref(doc, { $ref: '#/components/schemas/ProblemCode' }).enum).toEqual([...contract.problemCodes]);
  });
});

describe('examples', () => {
  it('exist for every parameter, request body and response content', () => {
    expect(missing, missing.join('\n')).toEqual([]);
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.map((c) => [c.where, c] as const))('%s validates against its schema (Ajv 2020)', (_where, c) => {
    const errors = validate(c.schema, c.value);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it.each(cases.map((c) => [c.where, c] as const))('%s parses with the zod schema', (_where, c) => {
    let result;
    if (c.parameter) {
      const { operationId, name } = c.parameter;
      const schema = parameterSchemas[operationId]?.[c.parameter.in as 'query' | 'path' | 'header'];
      if (!schema) throw new Error(`${c.where}: no zod schema for the ${c.parameter.in} parameters of ${operationId}`);
      const key = c.parameter.in === 'header' ? name.toLowerCase() : name;
      // The other path parameters of the operation take their own examples (a path needs all of them).
      const siblings = c.parameter.in === 'path' ? pathExamples(operationId) : {};
      result = schema.safeParse({ ...siblings, [key]: c.value });
    } else {
      const name = componentName(c.schema);
      if (!name) throw new Error(`${c.where}: inline schema, expected a $ref to a component`);
      result = zodFor(name).safeParse(c.value);
    }
    expect(result.error?.issues ?? [], JSON.stringify(result.error?.issues, null, 2)).toEqual([]);
  });

  it('in component schemas are valid for both Ajv and zod', () => {
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const value of (schema.examples as unknown[] | undefined) ?? []) {
        const ref = { $ref: `#/components/schemas/${name}` };
        expect(validate(ref, value), name).toEqual([]);
        expect(zodFor(name).safeParse(value).error?.issues ?? [], name).toEqual([]);
      }
    }
  });
});

describe('security requirements', () => {
  it('read as the scopes of which a caller needs any one', () => {
    expect(operationScopes('op', [])).toBeNull();
    expect(operationScopes('op', [{ bearerAuth: ['admin'] }])).toEqual(['admin']);
    expect(operationScopes('op', [{ bearerAuth: ['audit:read'] }, { bearerAuth: ['admin'] }])).toEqual(['audit:read', 'admin']);
  });

  it('read cookieAuth as the scopes of a person\'s session, [] meaning any signed-in person', () => {
    expect(operationSessionScopes('op', [{ bearerAuth: ['admin'] }])).toBeNull();
    expect(operationSessionScopes('op', [{ bearerAuth: ['admin'] }, { cookieAuth: ['admin'] }])).toEqual(['admin']);
    expect(operationScopes('op', [{ bearerAuth: ['admin'] }, { cookieAuth: ['admin'] }])).toEqual(['admin']);
    expect(operationScopes('op', [{ cookieAuth: [] }])).toBeNull();
    expect(operationSessionScopes('op', [{ cookieAuth: [] }])).toEqual([]);
    expect(() => operationSessionScopes('op', [{ cookieAuth: ['a', 'b'] }])).toThrow(/one scope/);
    expect(() => operationSessionScopes('op', [{ cookieAuth: [] }, { cookieAuth: ['admin'] }])).toThrow(/any person/);
  });

  it('must be stated, and name exactly one bearer scope per requirement', () => {
    expect(() => operationScopes('op', undefined)).toThrow(/does not state its security/);
    expect(() => operationScopes('op', [{ bearerAuth: [] }])).toThrow(/one scope/);
    expect(() => operationScopes('op', [{ bearerAuth: ['a', 'b'] }])).toThrow(/one scope/);
    expect(() => operationScopes('op', [{ other: ['admin'] }])).toThrow(/one scope/);
    expect(() => operationScopes('op', [{}])).toThrow(/one scope/);
  });
});

describe('generated files', () => {
  it('are exactly what `pnpm generate` produces from the contract', async () => {
    const files = await generateContractFiles();
    expect(Object.keys(files).length).toBe(3);
    for (const [relative, content] of Object.entries(files)) {
      const committed = await readFile(join(repoRoot, relative), 'utf8');
      expect(committed === content, `${relative} is stale: run pnpm generate`).toBe(true);
    }
  });

  it("include the integrator guide's scope table: every operation with the scopes of its security", async () => {
    const guide = await readFile(join(repoRoot, guideFile), 'utf8');
    const table = renderScopeTable(listContractOperations(doc));
    const committed = guide.slice(guide.indexOf(SCOPE_TABLE_BEGIN) + SCOPE_TABLE_BEGIN.length, guide.indexOf(SCOPE_TABLE_END)).trim();
    expect(committed, `the scope table in ${guideFile} is stale: run pnpm generate, or paste:\n${table}\n`).toBe(table);
    const rows = committed.split('\n').slice(2);
    expect(rows).toHaveLength(Object.keys(contract.operations).length);
    for (const [id, op] of Object.entries(contract.operations)) {
      const row = rows.find((r) => r.includes(`| \`${id}\` |`));
      expect(row, id).toContain(`\`${op.method} ${op.path}\``);
      for (const scope of op.scopes ?? []) expect(row, id).toContain(`\`${scope}\``);
      if (!op.scopes) expect(row, id).toMatch(/\| none/);
    }
    expect(withScopeTable(`a\n${SCOPE_TABLE_BEGIN}\nold\n${SCOPE_TABLE_END}\nb`, 'new')).toBe(`a\n${SCOPE_TABLE_BEGIN}\nnew\n${SCOPE_TABLE_END}\nb`);
  });

  it('map every operation to its Fastify path', () => {
    expect(contract.operations.getReferral).toEqual({
      method: 'GET',
      path: '/v1/referrals/{referralId}',
      fastifyPath: '/v1/referrals/:referralId',
      scopes: ['referrals:read'],
      sessionScopes: ['referrals:read'],
      stepUp: false,
    });
    expect(contract.operations.getHealth.scopes).toBeNull();
    expect(contract.operations.getHealth.sessionScopes).toBeNull();
    expect(contract.operations.getSession).toMatchObject({ scopes: null, sessionScopes: [], stepUp: false });
    expect(contract.operations.createUser).toMatchObject({ scopes: null, sessionScopes: ['admin'], stepUp: true });
    expect(contract.operations.exportAuditLog).toMatchObject({ scopes: ['audit:read'], sessionScopes: ['audit:read'], stepUp: true });
  });
});

describe('zod schemas', () => {
  const person = { localId: 'ATN-2025-0142', givenName: 'Drita', familyName: 'Krasniqi' };

  it('accept valid values and fill in defaults', () => {
    expect(contract.Person.parse(person)).toEqual(person);
    expect(contract.ListReferralsQuery.parse({ limit: '20' })).toEqual({ limit: 20 });
    expect(contract.ListReferralsQuery.parse({})).toEqual({ limit: 50 });
    expect(contract.CONTRACT_VERSION).toBe('1');
  });

  it('reject a bad NodeId', () => {
    for (const bad of ['Atina', '1atina', 'a', 'atina_pvpt', 'атина', `a${'b'.repeat(63)}`]) {
      expect(contract.NodeId.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('reject an unknown service code and duplicated services', () => {
    expect(contract.ServiceCode.safeParse('HOUSING').success).toBe(false);
    const consent = (doc.paths['/v1/referrals'] as { post: { requestBody: { content: Record<string, { examples: Record<string, { value: { consent: object } }> }> } } })
      .post.requestBody.content['application/json']?.examples.shelterAndReturn?.value.consent;
    expect(contract.Consent.safeParse(consent).success).toBe(true);
    expect(contract.Consent.safeParse({ ...consent, services: ['HOUSING'] }).success).toBe(false);
    expect(contract.Consent.safeParse({ ...consent, services: ['SAFE_RETURN', 'SAFE_RETURN'] }).success).toBe(false);
  });

  it('reject extra properties, such as a national id on Person or a private key member', () => {
    expect(contract.Person.safeParse({ ...person, nationalId: '0101990715123' }).success).toBe(false);
    expect(contract.DisclosedPerson.safeParse({ pseudonym: 'Zn3f0NFxvO0xueLgikQHBik4YtO1ucfeCRAvJttq4ZE', localId: 'x' }).success).toBe(false);
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11U2ZwZGUmwlPhxS8OHJHa_-29rPyrROpZkds5bS_gU', kid: 'k', use: 'sig', alg: 'EdDSA', purpose: 'signing', validFrom: '2025-01-01T00:00:00Z' };
    expect(contract.PublicJwk.safeParse(jwk).success).toBe(true);
    expect(contract.PublicJwk.safeParse({ ...jwk, d: 'secret' }).success).toBe(false);
  });

  it('check the body of a referral.request message against ReferralRequestBody', () => {
    const claims = {
      iss: 'atina', aud: 'pvpt', iat: 1741944600, exp: 1741944900, jti: '0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11',
      type: 'referral.request', referralId: '0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40', seq: 1, prev: null, body: { services: [] },
    };
    expect(contract.MessageClaims.safeParse(claims).success).toBe(false);
    expect(validate({ $ref: '#/components/schemas/MessageClaims' }, claims)).not.toEqual([]);
    expect(contract.MessageClaims.safeParse({ ...claims, type: 'ping', body: {} }).success).toBe(true);
  });
});

describe('idempotency, withdrawal and admin schemas', () => {
  const referralId = '0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40';
  const claims = {
    iss: 'atina', aud: 'pvpt', iat: 1741944600, exp: 1741944900, jti: '0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11',
    type: 'referral.withdraw', referralId, seq: 3, prev: 'sha-256:JURhb1QkJdOXoQSZTty7f-eS-sb5eWgsSF-gB182H7c', body: { from: 'received' },
  };
  const outboxMessage = {
    id: '0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11', peer: 'pvpt', referralId, type: 'referral.request', seq: 1,
    status: 'dead', attempts: 12, lastError: 'peer_not_active', nextAttemptAt: '2025-03-15T09:30:00Z',
    deadlineAt: '2025-03-15T09:30:00Z', createdAt: '2025-03-14T09:30:00Z', deliveredAt: null,
  };
  const idempotencyKey = deref(doc, { $ref: '#/components/parameters/IdempotencyKey' });

  it('list the new problem codes', () => {
    expect(contract.problemCodes).toEqual(expect.arrayContaining(['idempotency_key_in_use', 'idempotency_key_reused', 'illegal_transition']));
  });

  it('accept an Idempotency-Key of printable ASCII without spaces, 1 to 255 characters, in zod and Ajv alike', () => {
    expect(idempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: false });
    const schema = idempotencyKey.schema as Record<string, unknown>;
    for (const good of ['a', '5f0c6a2e-8d1b-4b7a-9e3c-2a4d6f8b0c1e', '!~', 'x'.repeat(255)]) {
      expect(contract.IdempotencyKeyHeaders.safeParse({ 'idempotency-key': good }).success, good).toBe(true);
      expect(validate(schema, good), good).toEqual([]);
    }
    for (const bad of ['', 'has space', 'tab\there', 'ключ', 'x'.repeat(256), 'new\nline']) {
      expect(contract.IdempotencyKeyHeaders.safeParse({ 'idempotency-key': bad }).success, JSON.stringify(bad)).toBe(false);
      expect(validate(schema, bad), JSON.stringify(bad)).not.toEqual([]);
    }
  });

  it('read the Idempotency-Key among other headers (which it ignores), and allow it to be absent', () => {
    const headers = { host: 'localhost:4100', authorization: 'Bearer x', 'idempotency-key': 'k-1' };
    expect(contract.IdempotencyKeyHeaders.parse(headers)).toEqual({ 'idempotency-key': 'k-1' });
    expect(contract.IdempotencyKeyHeaders.parse({ host: 'localhost:4100' })).toEqual({});
  });

  it('reference the Idempotency-Key from createReferral and withdrawReferral, which answer 409 and 422', () => {
    const ref = { $ref: '#/components/parameters/IdempotencyKey' };
    for (const [path, key] of [['/v1/referrals', 'post'], ['/v1/referrals/{referralId}/withdraw', 'post']] as const) {
      const op = doc.paths[path]?.[key] as { parameters: unknown[]; responses: Record<string, unknown> };
      expect(op.parameters, path).toContainEqual(ref);
      expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(['409', '422']));
    }
  });

  it('check a withdrawal reason code and note', () => {
    // The message body also says which status the referral was cancelled from; the request does not.
    for (const [schema, base] of [[contract.WithdrawReferral, {}], [contract.ReferralWithdrawBody, { from: 'received' }]] as const) {
      expect(schema.safeParse(base).success).toBe(true);
      expect(schema.safeParse({ ...base, reason: 'PERSON_DECLINED', note: 'x'.repeat(2000) }).success).toBe(true);
      for (const bad of [{ reason: '' }, { reason: 'person_declined' }, { reason: '1ABC' }, { reason: 'A'.repeat(65) }, { note: 'x'.repeat(2001) }, { status: 'cancelled' }]) {
        expect(schema.safeParse({ ...base, ...bad }).success, JSON.stringify(bad)).toBe(false);
      }
    }
    expect(contract.ReferralWithdrawBody.safeParse({}).success).toBe(false);
    expect(contract.ReferralWithdrawBody.safeParse({ from: 'withdrawn' }).success).toBe(false);
    expect(contract.WithdrawReferral.safeParse({ from: 'received' }).success).toBe(false);
  });

  it('check the body of a referral.withdraw message against ReferralWithdrawBody, in zod and Ajv alike', () => {
    const ref = { $ref: '#/components/schemas/MessageClaims' };
    const good = { ...claims, body: { from: 'accepted', reason: 'PERSON_DECLINED', note: 'Korisnica je odlučila da ostane u Beogradu.' } };
    expect(contract.MessageClaims.safeParse(good).success).toBe(true);
    expect(validate(ref, good)).toEqual([]);
    for (const body of [{ from: 'accepted', reason: 'declined' }, { from: 'accepted', reason: 'PERSON_DECLINED', services: ['SAFE_RETURN'] }, { reason: 'PERSON_DECLINED' }, { from: 'gone' }]) {
      const bad = { ...claims, body };
      const result = contract.MessageClaims.safeParse(bad);
      expect(result.success, JSON.stringify(body)).toBe(false);
      expect(result.error?.issues.every((issue) => issue.path[0] === 'body')).toBe(true);
      expect(validate(ref, bad), JSON.stringify(body)).not.toEqual([]);
    }
    // a referral.request body is still checked as one, and other types are not
    expect(validate(ref, { ...claims, type: 'referral.request' })).not.toEqual([]);
    expect(validate(ref, { ...claims, type: 'ping', body: { anything: true } })).toEqual([]);
    expect(contract.MessageClaims.safeParse({ ...claims, type: 'ping', body: { anything: true } }).success).toBe(true);
  });

  it('check the body of a referral.status message against ReferralStatusBody, in zod and Ajv alike', () => {
    const ref = { $ref: '#/components/schemas/MessageClaims' };
    const status = { ...claims, type: 'referral.status' };
    for (const body of [{ status: 'accepted', from: 'received', at: '2025-03-15T10:00:00Z' }, { status: 'completed', from: 'on-hold', at: '2025-04-02T16:00:00Z', reason: 'SERVICE_PROVIDED', note: 'Услуга пружена; u krye.' }]) {
      expect(contract.MessageClaims.safeParse({ ...status, body }).success, JSON.stringify(body)).toBe(true);
      expect(validate(ref, { ...status, body }), JSON.stringify(body)).toEqual([]);
    }
    // Not a status a peer sends (cancelled travels as referral.withdraw), no time, a lower-case code, an extra field.
    // ... or without the status it was made from.
    for (const body of [{ status: 'cancelled', from: 'received', at: '2025-03-15T10:00:00Z' }, { status: 'received', from: 'requested', at: '2025-03-15T10:00:00Z' }, { status: 'accepted', from: 'received' }, { status: 'rejected', from: 'received', at: '2025-03-15T10:00:00Z', reason: 'no_capacity' }, { status: 'accepted', from: 'received', at: '2025-03-15T10:00:00Z', by: 'atina' }, { status: 'accepted', at: '2025-03-15T10:00:00Z' }, { status: 'accepted', from: 'withdrawn', at: '2025-03-15T10:00:00Z' }]) {
      expect(contract.MessageClaims.safeParse({ ...status, body }).success, JSON.stringify(body)).toBe(false);
      expect(validate(ref, { ...status, body }), JSON.stringify(body)).not.toEqual([]);
    }
  });

  it('take a rejection reason and an outcome only from their code lists', () => {
    expect(contract.RejectReferral.safeParse({ reason: 'NO_CAPACITY' }).success).toBe(true);
    expect(contract.RejectReferral.safeParse({ reason: 'SERVICE_PROVIDED' }).success).toBe(false);
    expect(contract.RejectReferral.safeParse({}).success).toBe(false);
    expect(contract.CompleteReferral.safeParse({ outcome: 'SERVICE_PROVIDED', note: 'x' }).success).toBe(true);
    expect(contract.CompleteReferral.safeParse({ outcome: 'NO_CAPACITY' }).success).toBe(false);
    expect(contract.TransitionNote.safeParse({ status: 'accepted' }).success).toBe(false);
    expect(contract.ListReferralsQuery.parse({ overdue: 'true' })).toEqual({ overdue: true, limit: 50 });
    expect(contract.ListReferralsQuery.parse({ overdue: 'false' })).toEqual({ overdue: false, limit: 50 });
    expect(contract.ListReferralsQuery.safeParse({ overdue: 'yes' }).success).toBe(false);
  });

  it('describe outbox messages without their body', () => {
    expect(contract.OutboxMessage.safeParse(outboxMessage).success).toBe(true);
    expect(validate({ $ref: '#/components/schemas/OutboxMessage' }, outboxMessage)).toEqual([]);
    expect(contract.OutboxMessage.safeParse({ ...outboxMessage, body: { person: {} } }).success).toBe(false);
    expect(validate({ $ref: '#/components/schemas/OutboxMessage' }, { ...outboxMessage, body: {} })).not.toEqual([]);
    expect(contract.OutboxMessage.safeParse({ ...outboxMessage, referralId: null, type: 'ping' }).success).toBe(true);
    for (const over of [{ status: 'failed' }, { seq: 0 }, { attempts: -1 }, { lastError: 'x'.repeat(201) }, { deliveredAt: 'yesterday' }]) {
      expect(contract.OutboxMessage.safeParse({ ...outboxMessage, ...over }).success, JSON.stringify(over)).toBe(false);
    }
    const { lastError: _omitted, ...withoutLastError } = outboxMessage;
    expect(contract.OutboxMessage.safeParse(withoutLastError).success).toBe(false);
  });

  it('parse the outbox query and path', () => {
    expect(contract.ListOutboxQuery.parse({})).toEqual({ limit: 50 });
    expect(contract.ListOutboxQuery.parse({ status: 'dead', peer: 'pvpt', limit: '10' })).toEqual({ status: 'dead', peer: 'pvpt', limit: 10 });
    for (const bad of [{ status: 'failed' }, { peer: 'PVPT' }, { limit: '0' }, { limit: '201' }, { cursor: '' }, { direction: 'inbound' }]) {
      expect(contract.ListOutboxQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(contract.MessageIdParams.safeParse({ messageId: outboxMessage.id }).success).toBe(true);
    expect(contract.MessageIdParams.safeParse({ messageId: 'not-a-uuid' }).success).toBe(false);
  });

  it('map the new operations to their Fastify paths', () => {
    expect(contract.operations.withdrawReferral).toEqual({
      method: 'POST',
      path: '/v1/referrals/{referralId}/withdraw',
      fastifyPath: '/v1/referrals/:referralId/withdraw',
      scopes: ['referrals:write'],
      sessionScopes: ['referrals:write'],
      stepUp: false,
    });
    expect(contract.operations.listOutboxMessages).toEqual({ method: 'GET', path: '/admin/v1/outbox', fastifyPath: '/admin/v1/outbox', scopes: ['admin'], sessionScopes: ['admin'], stepUp: false });
    expect(contract.operations.resendOutboxMessage).toEqual({
      method: 'POST',
      path: '/admin/v1/outbox/{messageId}/resend',
      fastifyPath: '/admin/v1/outbox/:messageId/resend',
      scopes: ['admin'],
      sessionScopes: ['admin'],
      stepUp: false,
    });
  });
});

describe('disclosure profiles', () => {
  const extension = doc['x-bridge-disclosure-profiles'];

  it('are in the document as x-bridge-disclosure-profiles, valid for Ajv and zod, and exported as parsed', () => {
    expect(validate({ $ref: '#/components/schemas/DisclosureProfiles' }, extension)).toEqual([]);
    expect(contract.DisclosureProfiles.safeParse(extension).success).toBe(true);
    expect(contract.disclosureProfiles).toEqual(extension);
  });

  it('cover every service code, with lists that do not overlap', () => {
    expect(Object.keys(contract.disclosureProfiles).sort()).toEqual([...contract.ServiceCode.options].sort());
    for (const [service, profile] of Object.entries(contract.disclosureProfiles)) {
      expect(profile.onRequest.filter((f) => profile.afterAcceptance.includes(f)), service).toEqual([]);
      expect(profile.onRequest, service).toContain('givenName');
    }
  });

  it('let a document number leave only after acceptance, for documents, proceedings and return', () => {
    const withDocument = Object.entries(contract.disclosureProfiles).filter(([, p]) => [...p.onRequest, ...p.afterAcceptance].includes('documentNumber'));
    expect(withDocument.map(([s]) => s).sort()).toEqual(['LEGAL_STATUS_AND_DOCUMENTS', 'SAFE_RETURN', 'SUPPORT_IN_PROCEEDINGS']);
    for (const [, p] of withDocument) expect(p.onRequest).not.toContain('documentNumber');
    expect(contract.disclosureProfiles.SAFE_ACCOMMODATION.onRequest.sort()).toEqual(['accompanyingChildren', 'ageBand', 'gender', 'givenName', 'languages', 'note', 'urgentHealthNeeds']);
  });

  it('are what getDisclosureProfiles shows in its example', () => {
    const op = doc.paths['/v1/disclosure-profiles']?.get as { responses: Record<string, { content: Record<string, { example: unknown }> }> };
    expect(op.responses['200']?.content['application/json']?.example).toEqual(extension);
  });

  it('refuse a profile list with an unknown field or a missing service', () => {
    const { SAFE_RETURN: _dropped, ...missing } = contract.disclosureProfiles;
    expect(contract.DisclosureProfiles.safeParse(missing).success).toBe(false);
    expect(validate({ $ref: '#/components/schemas/DisclosureProfiles' }, missing)).not.toEqual([]);
    const unknown = { ...contract.disclosureProfiles, SAFE_RETURN: { onRequest: ['nationalId'], afterAcceptance: [] } };
    expect(contract.DisclosureProfiles.safeParse(unknown).success).toBe(false);
    expect(validate({ $ref: '#/components/schemas/DisclosureProfiles' }, unknown)).not.toEqual([]);
  });
});

describe('disclose, info, revoke and erasure message bodies', () => {
  const claims = {
    iss: 'atina', aud: 'pvpt', iat: 1741944600, exp: 1741944900, jti: '0192f4a1-7d02-7c44-8e61-2f0a9b7c3d11',
    referralId: '0192f4a1-7c3e-7a10-9b2d-5e8f3c1a2b40', seq: 2, prev: 'sha-256:JURhb1QkJdOXoQSZTty7f-eS-sb5eWgsSF-gB182H7c',
  };
  const questionId = '0192f4b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f';
  const cases: Array<[string, object, object[]]> = [
    ['referral.disclose', { person: { documentNumber: 'P0012345' } }, [{}, { person: { pseudonym: 'Zn3f0NFxvO0xueLgikQHBik4YtO1ucfeCRAvJttq4ZE' } }, { person: { nationalId: '1' } }]],
    ['referral.info-request', { questionId, text: 'Pitanje?' }, [{ questionId, text: '' }, { text: 'x' }, { questionId, text: 'x', extra: 1 }]],
    ['referral.info-response', { questionId, text: 'Odgovor.' }, [{ questionId }, { questionId: 'q1', text: 'x' }]],
    ['consent.revoke', { revokedAt: '2025-03-16T11:20:00Z', reason: 'WITHDRAWN' }, [{}, { revokedAt: 'yesterday' }, { revokedAt: '2025-03-16T11:20:00Z', reason: 'lower' }]],
    ['erasure.confirm', { reason: 'CONSENT_EXPIRED', erasedAt: '2025-03-16T11:20:00Z' }, [{ reason: 'RETENTION', erasedAt: '2025-03-16T11:20:00Z' }, { reason: 'CONSENT_REVOKED' }]],
  ];

  it.each(cases)('check a %s body in zod and Ajv alike', (type, good, bads) => {
    const ref = { $ref: '#/components/schemas/MessageClaims' };
    expect(contract.MessageClaims.safeParse({ ...claims, type, body: good }).error?.issues ?? []).toEqual([]);
    expect(validate(ref, { ...claims, type, body: good })).toEqual([]);
    for (const body of bads) {
      expect(contract.MessageClaims.safeParse({ ...claims, type, body }).success, JSON.stringify(body)).toBe(false);
      expect(validate(ref, { ...claims, type, body }), JSON.stringify(body)).not.toEqual([]);
    }
  });
});
