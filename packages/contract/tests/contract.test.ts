import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createConfig, lint } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { generateContractFiles, repoRoot } from '../scripts/codegen.ts';
import * as contract from '../src/index.ts';
import { collectExamples, componentName, createValidator, deref, listOperations, type Doc } from './contract-document.ts';

const doc = contract.loadContractDocument() as Doc;
const { cases, missing } = collectExamples(doc);
const validate = createValidator(doc);

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
      expect(op.security, id).toEqual(path.startsWith('/v1/') ? [{ bearerAuth: [] }] : []);
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
    if (c.parameter?.in === 'query') result = contract.ListReferralsQuery.safeParse({ [c.parameter.name]: c.value });
    else if (c.parameter?.in === 'path') result = contract.ReferralIdParams.safeParse({ [c.parameter.name]: c.value });
    else {
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

describe('generated files', () => {
  it('are exactly what `pnpm generate` produces from the contract', async () => {
    const files = await generateContractFiles();
    expect(Object.keys(files).length).toBe(2);
    for (const [relative, content] of Object.entries(files)) {
      const committed = await readFile(join(repoRoot, relative), 'utf8');
      expect(committed === content, `${relative} is stale: run pnpm generate`).toBe(true);
    }
  });

  it('map every operation to its Fastify path', () => {
    expect(contract.operations.getReferral).toEqual({
      method: 'GET',
      path: '/v1/referrals/{referralId}',
      fastifyPath: '/v1/referrals/:referralId',
    });
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
