import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredKeySet } from '@bridge/crypto';
import { openDataDir } from '../src/data-dir.ts';
import { freePort } from '../src/db/embedded.ts';
import { runBridge, type CliRun } from './support/cli.ts';
import { createTestDatabase } from './support/databases.ts';
import { TEST_KEYS_SECRET } from './support/keys-secret.ts';
import { waitFor } from './support/nodes.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'services/node/src/bin.ts');
const unreachable = 'postgres://postgres@127.0.0.1:1/none';
/** No secret at all: what the test runner's own environment might carry is removed too. */
const noSecret = { BRIDGE_KEYS_SECRET: undefined, BRIDGE_KEYS_SECRET_FILE: undefined, CREDENTIALS_DIRECTORY: undefined };

const noStackTrace = (run: CliRun) => expect(run.stderr + run.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

/** Every spelling of every private key that could sit in a file: base64url, base64, hex, raw bytes. */
function privateSpellings(keys: StoredKeySet): Buffer[] {
  return Object.values(keys)
    .flat()
    .flatMap((k) => {
      const raw = Buffer.from(k.jwk.d, 'base64url');
      return [Buffer.from(k.jwk.d), Buffer.from(raw.toString('base64')), Buffer.from(raw.toString('hex')), raw];
    });
}

/** Reads every file under `dir` and fails on a `"d"` member, a PEM private key, or any spelling of a private key. */
async function expectNoPrivateKeyIn(dir: string, keys: StoredKeySet): Promise<number> {
  const spellings = privateSpellings(keys);
  expect(spellings.length).toBeGreaterThanOrEqual(16);
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const bytes = await readFile(join(entry.parentPath, entry.name));
    files++;
    expect(bytes.toString('latin1'), entry.name).not.toMatch(/"d"\s*:/);
    expect(bytes.toString('latin1'), entry.name).not.toContain('PRIVATE KEY');
    for (const spelling of spellings) expect(bytes.indexOf(spelling), entry.name).toBe(-1);
  }
  return files;
}

describe('keys at rest', () => {
  let base: string;
  const secretEnv = { BRIDGE_KEYS_SECRET: TEST_KEYS_SECRET.value };
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'bridge-keys-at-rest-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('init refuses without a secret; with one, no private key is readable in the data directory, after init or rotate', async () => {
    const dir = join(base, 'atina');
    const refused = await runBridge(['init', '--node-id', 'atina', '--data-dir', dir, '--public-url', 'http://127.0.0.1:9'], noSecret);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no keys secret was given: set BRIDGE_KEYS_SECRET_FILE, BRIDGE_KEYS_SECRET');
    noStackTrace(refused);
    await expect(stat(join(dir, 'keys.json'))).rejects.toThrow();

    // The secret from a file, written as `echo … > file` would, trailing newline and all.
    const secretFile = join(base, 'secret');
    await writeFile(secretFile, `${TEST_KEYS_SECRET.value}\n`, { mode: 0o600 });
    const init = await runBridge(['init', '--node-id', 'atina', '--data-dir', dir, '--public-url', 'http://127.0.0.1:9'], { ...noSecret, BRIDGE_KEYS_SECRET_FILE: secretFile });
    expect(init.code, init.stderr).toBe(0);
    expect((await stat(join(dir, 'keys.json'))).mode & 0o077).toBe(0);
    const first = (await openDataDir(dir, TEST_KEYS_SECRET)).stored.keys;
    expect(await expectNoPrivateKeyIn(dir, first)).toBeGreaterThanOrEqual(2);

    const rotated = await runBridge(['keys', 'rotate', '--data-dir', dir], { ...secretEnv, DATABASE_URL: await createTestDatabase() });
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = (await openDataDir(dir, TEST_KEYS_SECRET)).stored.keys;
    expect(after.signing).toHaveLength(2);
    expect((await stat(join(dir, 'keys.json'))).mode & 0o077).toBe(0);
    // The old and the new keys: nothing readable, and no temporary file left beside keys.json.
    await expectNoPrivateKeyIn(dir, after);
    expect((await readdir(dir)).filter((f) => f.startsWith('keys.json'))).toEqual(['keys.json']);
  }, 120_000);

  it('a wrong or a missing secret stops bridge serve with one line naming what is wrong', async () => {
    const dir = join(base, 'pvpt');
    expect((await runBridge(['init', '--node-id', 'pvpt', '--data-dir', dir, '--public-url', 'http://127.0.0.1:9'], secretEnv)).code).toBe(0);
    const serve = (env: Record<string, string | undefined>) => runBridge(['serve', '--data-dir', dir, '--federation-port', '0', '--private-port', '0'], { DATABASE_URL: unreachable, ...noSecret, ...env });

    const wrong = await serve({ BRIDGE_KEYS_SECRET: `${TEST_KEYS_SECRET.value}?` });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe(`bridge: the keys secret from BRIDGE_KEYS_SECRET does not decrypt ${dir}/keys.json: the secret is wrong, or the file was changed`);
    const missing = await serve({});
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `bridge: ${dir}/keys.json is encrypted, and no keys secret was given: set BRIDGE_KEYS_SECRET_FILE, BRIDGE_KEYS_SECRET, or the systemd credential bridge-keys-secret (see bridge serve --help)`,
    );
    const short = await serve({ BRIDGE_KEYS_SECRET: 'short' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('the keys secret from BRIDGE_KEYS_SECRET must be at least 16 characters');
    const noFile = await serve({ BRIDGE_KEYS_SECRET_FILE: join(base, 'nowhere') });
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain(`BRIDGE_KEYS_SECRET_FILE names ${join(base, 'nowhere')}, which cannot be read (ENOENT)`);
    // systemd's credential is found where systemd puts it.
    const credentials = join(base, 'credentials');
    await import('node:fs/promises').then((fs) => fs.mkdir(credentials));
    await writeFile(join(credentials, 'bridge-keys-secret'), 'another secret of enough length');
    const wrongCredential = await serve({ CREDENTIALS_DIRECTORY: credentials });
    expect(wrongCredential.stderr).toContain('the keys secret from the systemd credential bridge-keys-secret does not decrypt');
    for (const run of [wrong, missing, short, noFile, wrongCredential]) {
      noStackTrace(run);
      expect(run.stdout + run.stderr).not.toContain(TEST_KEYS_SECRET.value);
    }
  }, 120_000);

  it('bridge keys encrypt converts a plain keys.json in place, refuses to do it twice, and the node starts with it', async () => {
    const dir = join(base, 'csr');
    expect((await runBridge(['init', '--node-id', 'csr', '--data-dir', dir, '--public-url', 'http://127.0.0.1:9'], secretEnv)).code).toBe(0);
    // keys.json as versions before encryption wrote it.
    const { stored } = await openDataDir(dir, TEST_KEYS_SECRET);
    await writeFile(join(dir, 'keys.json'), JSON.stringify(stored, null, 2), { mode: 0o600 });

    const plain = await runBridge(['serve', '--data-dir', dir, '--federation-port', '0', '--private-port', '0'], { ...secretEnv, DATABASE_URL: unreachable });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain(`${dir}/keys.json holds private keys unencrypted; encrypt it with \`bridge keys encrypt --data-dir ${dir}\``);
    const withoutSecret = await runBridge(['keys', 'encrypt', '--data-dir', dir], noSecret);
    expect(withoutSecret.code).toBe(1);
    expect(withoutSecret.stderr).toContain('no keys secret was given');

    const encrypted = await runBridge(['keys', 'encrypt', '--data-dir', dir], secretEnv);
    expect(encrypted.code, encrypted.stderr).toBe(0);
    await expectNoPrivateKeyIn(dir, stored.keys);
    expect((await stat(join(dir, 'keys.json'))).mode & 0o077).toBe(0);
    expect((await readdir(dir)).filter((f) => f.startsWith('keys.json'))).toEqual(['keys.json']);
    // The same keys, now encrypted.
    expect((await openDataDir(dir, TEST_KEYS_SECRET)).stored).toEqual(stored);
    const again = await runBridge(['keys', 'encrypt', '--data-dir', dir], secretEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is already encrypted');

    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', bin, 'serve', '--data-dir', dir, '--federation-port', String(port), '--private-port', String(await freePort())], {
      cwd: root,
      env: { ...process.env, ...secretEnv, DATABASE_URL: await createTestDatabase(), BRIDGE_LOG_LEVEL: 'warn', BRIDGE_FEDERATION_PLAIN_HTTP: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await waitFor(async () => out.includes('private listener') || child.exitCode !== null, 60_000);
      expect(out).toContain('private listener');
      const jwks = (await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((k) => k.kid).sort()).toEqual([stored.keys.signing[0]!.kid, stored.keys.encryption[0]!.kid, stored.keys.log[0]!.kid].sort());
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
