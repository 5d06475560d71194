import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './support/databases.ts';
import { TEST_KEYS_SECRET } from './support/keys-secret.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'services/node/src/bin.ts');

function bridge(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bridge users', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridge-users-'));
    env = { DATABASE_URL: await createTestDatabase(), BRIDGE_CONSOLE_ORIGIN: 'http://localhost:4100', BRIDGE_KEYS_SECRET: TEST_KEYS_SECRET.value };
    const init = await bridge(['init', '--node-id', 'atina', '--data-dir', join(dir, 'atina'), '--public-url', 'http://127.0.0.1:4100'], env);
    expect(init.code, init.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates an account with a one-time enrolment link, never taking a password (T34), and disables, enables and resets it', async () => {
    const data = join(dir, 'atina');
    const withPassword = await bridge(['users', 'create', '--data-dir', data, '--username', 'marko', '--roles', 'operator', '--password', 'hunter2'], env);
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toMatch(/password/);
    const mixed = await bridge(['users', 'create', '--data-dir', data, '--username', 'marko', '--roles', 'operator,case_worker'], env);
    expect(mixed.code).not.toBe(0);
    const created = await bridge(['users', 'create', '--data-dir', data, '--username', 'marko', '--roles', 'operator'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toMatch(/^http:\/\/localhost:4100\/console\/enrol#[A-Za-z0-9_-]{43}$/);
    const list = await bridge(['users', 'list', '--data-dir', data], env);
    expect(list.stdout, list.stderr).toMatch(/marko\s+operator\s+invited/);
    expect((await bridge(['users', 'disable', 'marko', '--data-dir', data], env)).stdout).toContain('marko disabled');
    expect((await bridge(['users', 'enable', 'marko', '--data-dir', data], env)).stdout).toContain('marko invited');
    const reset = await bridge(['users', 'reset', 'marko', '--data-dir', data], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout.trim()).not.toBe(created.stdout.trim());
    expect((await bridge(['users', 'revoke-sessions', 'marko', '--data-dir', data], env)).code).toBe(0);
  }, 300_000);

  it('links an account to an identity at the OpenID provider, one account per identity', async () => {
    const data = join(dir, 'atina');
    expect((await bridge(['users', 'create', '--data-dir', data, '--username', 'ana', '--roles', 'case_worker'], env)).code).toBe(0);
    const noIssuer = await bridge(['users', 'link-oidc', 'ana', '--data-dir', data, '--subject', 'ana-sub'], env);
    expect(noIssuer.code).toBe(2);
    const linked = await bridge(['users', 'link-oidc', 'ana', '--data-dir', data, '--subject', 'ana-sub'], { ...env, BRIDGE_OIDC_ISSUER: 'https://id.atina.example' });
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stdout).toContain('ana-sub at https://id.atina.example');
    expect((await bridge(['users', 'create', '--data-dir', data, '--username', 'petra', '--roles', 'case_worker'], env)).code).toBe(0);
    const taken = await bridge(['users', 'link-oidc', 'petra', '--data-dir', data, '--issuer', 'https://id.atina.example', '--subject', 'ana-sub'], env);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain('linked to another account');
    // Operators and auditors sign in with a passkey only: no identity-provider link for them.
    const oversight = await bridge(['users', 'link-oidc', 'marko', '--data-dir', data, '--issuer', 'https://id.atina.example', '--subject', 'marko-sub'], env);
    expect(oversight.code).not.toBe(0);
    expect(oversight.stderr).toContain('passkey only');
  }, 300_000);
});
