import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoReferral } from '../src/demo/scenario.ts';
import { freePort } from '../src/db/embedded.ts';
import { createTestDatabase } from './support/databases.ts';
import { waitFor } from './support/nodes.ts';
import { TEST_KEYS_ENV } from './support/keys-secret.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'services/node/src/bin.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bridge(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { cwd: root, env: { ...process.env, ...TEST_KEYS_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function serve(dataDir: string, ports: { federation: number; private: number }, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  // One process, no tsx wrapper: a kill reaches the server itself and leaves no orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', bin, 'serve', '--data-dir', dataDir, '--federation-port', String(ports.federation), '--private-port', String(ports.private)], { cwd: root, env: { ...process.env, ...TEST_KEYS_ENV, BRIDGE_FEDERATION_PLAIN_HTTP: 'true', ...env, BRIDGE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

const noStackTrace = (run: Run) => expect(run.stderr + run.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('bridge command', () => {
  let dir: string;
  const servers: ChildProcess[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridge-cli-'));
  });
  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('explains wrong or missing arguments without a stack trace', async () => {
    const none = await bridge([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: bridge <command>');
    const unknown = await bridge(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command frobnicate');
    const missing = await bridge(['init', '--node-id', 'atina', '--data-dir', join(dir, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --public-url');
    const badId = await bridge(['init', '--node-id', 'Atina!', '--data-dir', join(dir, 'x'), '--public-url', 'http://127.0.0.1:1']);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain('--node-id');
    const badFlag = await bridge(['serve', '--data-dir', join(dir, 'x'), '--federation-port', '1', '--colour']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("Unknown option '--colour'");
    const badPort = await bridge(['serve', '--data-dir', join(dir, 'x'), '--private-port', '70000']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--private-port must be a number from 0 to 65535, got 70000');
    const noDir = await bridge(['serve', '--data-dir', join(dir, 'nowhere')]);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toContain('run `bridge init` first');
    const badEnv = await bridge(['serve', '--data-dir', join(dir, 'nowhere'), '--federation-port', '4000'], { DATABASE_URL: 'mysql://x' });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toContain('DATABASE_URL');
    const help = await bridge(['peers', 'add', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--fingerprint');
    for (const run of [none, unknown, missing, badId, badFlag, badPort, noDir, badEnv]) noStackTrace(run);
  }, 120_000); // nine processes, each starting tsx: past 60 s on a loaded machine

  it('initialises, serves, onboards by fingerprint and issues tokens, end to end', async () => {
    const ports = { atina: await freePort(), pvpt: await freePort() };
    // The public URL, for peers: the federation listener.
    const url = (id: 'atina' | 'pvpt') => `http://127.0.0.1:${ports[id]}`;
    const privatePorts = { atina: await freePort(), pvpt: await freePort() };
    // The organisation's own systems: the private listener.
    const privateUrl = (id: 'atina' | 'pvpt') => `http://127.0.0.1:${privatePorts[id]}`;
    const env = { atina: { DATABASE_URL: await createTestDatabase() }, pvpt: { DATABASE_URL: await createTestDatabase() } };
    const data = (id: string) => join(dir, id);
    const initFingerprints: Record<string, string> = {};
    for (const id of ['atina', 'pvpt'] as const) {
      const init = await bridge(['init', '--node-id', id, '--data-dir', data(id), '--public-url', url(id), '--jurisdiction', id === 'atina' ? 'RS' : 'XK']);
      expect(init.code, init.stderr).toBe(0);
      initFingerprints[id] = /fingerprint ([0-9A-F-]{79})/.exec(init.stdout)![1]!;
      expect((await stat(join(data(id), 'keys.json'))).mode & 0o077).toBe(0);
    }
    const again = await bridge(['init', '--node-id', 'atina', '--data-dir', data('atina'), '--public-url', url('atina')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('refusing to overwrite');

    const running = {
      atina: serve(data('atina'), { federation: ports.atina, private: privatePorts.atina }, env.atina),
      pvpt: serve(data('pvpt'), { federation: ports.pvpt, private: privatePorts.pvpt }, env.pvpt),
    };
    servers.push(running.atina.child, running.pvpt.child);
    await waitFor(async () => running.atina.output().includes('private listener') && running.pvpt.output().includes('private listener'), 30_000);
    // It says which listener is which.
    expect(running.atina.output()).toContain(`federation listener ${url('atina')} (peers; public URL ${url('atina')})`);
    expect(running.atina.output()).toContain(`private listener    ${privateUrl('atina')} (integration and admin API`);
    expect((await fetch(`${url('atina')}/v1/referrals`)).status).toBe(404);
    expect((await fetch(`${privateUrl('atina')}/.well-known/bridge.json`)).status).toBe(404);

    // A wrong fingerprint adds nothing.
    const wrong = await bridge(['peers', 'add', url('pvpt'), '--data-dir', data('atina'), '--fingerprint', '0000-1111'], env.atina);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('does not match');
    expect((await bridge(['peers', 'list', '--data-dir', data('atina')], env.atina)).stdout).toContain('no peers');

    // Without a fingerprint and with nobody at a prompt, the peer stays pending.
    const pending = await bridge(['peers', 'add', url('pvpt'), '--data-dir', data('atina')], env.atina);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toContain('pending');
    const fingerprint = /fingerprint ([0-9A-F-]{79})/.exec(pending.stdout)![1]!;
    // What pvpt's operator read out from `bridge init` is what atina fetched.
    expect(fingerprint).toBe(initFingerprints.pvpt);
    const token = (await bridge(['clients', 'create', '--data-dir', data('atina'), '--name', 'atina case system', '--scopes', 'referrals:read,referrals:write'], env.atina)).stdout.trim();
    const post = () => fetch(`${privateUrl('atina')}/v1/referrals`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(demoReferral(new Date())) });
    const refused = await post();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('peer_not_active');

    // The matching fingerprint (read out by the peer's operator) activates it.
    const active = await bridge(['peers', 'add', url('pvpt'), '--data-dir', data('atina'), '--fingerprint', fingerprint.toLowerCase()], env.atina);
    expect(active.code, active.stderr).toBe(0);
    expect(active.stdout).toContain('pvpt is active');
    const atinaFp = /fingerprint ([0-9A-F-]{79})/.exec((await bridge(['peers', 'add', url('atina'), '--data-dir', data('pvpt')], env.pvpt)).stdout)![1]!;
    expect((await bridge(['peers', 'activate', 'atina', '--data-dir', data('pvpt')], env.pvpt)).code).toBe(0);
    expect(atinaFp).not.toBe(fingerprint);

    const badScopes = await bridge(['clients', 'create', '--data-dir', data('pvpt'), '--name', 'x', '--scopes', 'referrals:read,everything'], env.pvpt);
    expect(badScopes.code).toBe(2);
    expect(badScopes.stderr).toContain('unknown scope everything');
    const pvptToken = (await bridge(['clients', 'create', '--data-dir', data('pvpt'), '--name', 'pvpt case system', '--scopes', 'referrals:read'], env.pvpt)).stdout.trim();

    const created = await post();
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await waitFor(async () => {
      const res = await fetch(`${privateUrl('pvpt')}/v1/referrals?direction=inbound`, { headers: { authorization: `Bearer ${pvptToken}` } });
      const list = (await res.json()) as { items: Array<{ id: string }> };
      return list.items.some((r) => r.id === id);
    });
    // A read-only token cannot create referrals.
    const forbidden = await fetch(`${privateUrl('pvpt')}/v1/referrals`, { method: 'POST', headers: { authorization: `Bearer ${pvptToken}`, 'content-type': 'application/json' }, body: '{}' });
    expect(forbidden.status).toBe(403);

    // Revoking the client revokes its token: the CLI is another process, so the running node hears
    // of it by the table's notification (milliseconds; never more than its cache's 5 s bound).
    const clientId = /^(\S+)/.exec((await bridge(['clients', 'list', '--data-dir', data('pvpt')], env.pvpt)).stdout)![1]!;
    expect((await bridge(['clients', 'revoke', clientId, '--data-dir', data('pvpt')], env.pvpt)).code).toBe(0);
    await waitFor(async () => (await fetch(`${privateUrl('pvpt')}/v1/referrals`, { headers: { authorization: `Bearer ${pvptToken}` } })).status === 401, 10_000);

    for (const s of [running.atina, running.pvpt]) {
      const exited = new Promise<number | null>((resolve) => s.child.on('exit', resolve));
      s.child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    // Every command derives the key of keys.json (PBKDF2, 210 000 rounds) before anything else.
  }, 240_000);
});
