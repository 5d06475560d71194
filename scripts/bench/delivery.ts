/**
 * End-to-end delivery between two real Bridge nodes on this machine: atina and pvpt, each in its
 * own process on its own database, with the load generator in this process. Prints one JSON object
 * on stdout (progress goes to stderr).
 *
 *   pnpm bench delivery [--seconds <s>] [--warmup <s>] [--concurrency <n>] [--window <n>] [--loads 20,100,200]
 *                       [--count <n>] [--database-url <postgres://…>] [--log-level warn] [--series <file>]
 *
 * Statements per referral: each node process counts every statement it sends to PostgreSQL
 * (BEGIN/COMMIT included). A first phase posts `--count` referrals one after the other and drains
 * them; its statements per referral, on each side, do not depend on how busy the machine is.
 * Every later phase reports the same figure too (there it includes claims that found nothing).
 *
 * Latency of one referral = delivered_at of its outbox row at atina (set when pvpt's signed
 * receipt has been verified) − the moment the load generator received the 201 of POST
 * /v1/referrals. Both stamps come from this machine's wall clock.
 *
 * Profiling: with BENCH_CPU_PROF_DIR=<dir> each node process runs with --cpu-prof and writes its
 * V8 CPU profile there when it exits (open it in Chrome DevTools or any .cpuprofile viewer).
 * BENCH_NODE_FLAGS="--trace-gc …" passes more flags to both node processes (not to the generator).
 *
 * Databases: with --database-url (or BENCH_DATABASE_URL / TEST_DATABASE_URL) two fresh databases
 * are created on that server and dropped afterwards; otherwise each node gets its own embedded
 * PostgreSQL in a temporary directory, removed afterwards.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openDatabase, type DatabaseHandle } from '../../services/node/src/db/client.ts';
import { startEmbeddedPostgres, temporaryClusterDir } from '../../services/node/src/db/embedded.ts';
import { demoReferral } from '../../services/node/src/demo/scenario.ts';
import { defaultDelivery } from '../../services/node/src/config.ts';
import type { NodeUrls, WorkerCommand, WorkerReply, WorkerRequest } from './delivery/node-worker.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const workerPath = fileURLToPath(new URL('./delivery/node-worker.ts', import.meta.url));

const TARGETS = { saturationPerS: 300, saturationP99Ms: 100, p99At20Ms: 25, p99At200Ms: 50 };
const FIXED_DRAIN_TIMEOUT_MS = 30_000;
/** Saturation leaves a backlog: keep waiting while it shrinks, up to this long in all. */
const SATURATION_DRAIN_CAP_MS = 180_000;

// ---------------------------------------------------------------- arguments

interface Options {
  seconds: number;
  warmup: number;
  concurrency: number;
  /** Saturation: at most this many accepted referrals not yet delivered (0: no limit). */
  window: number;
  count: number;
  loads: number[];
  databaseUrl: string | undefined;
  logLevel: string;
  /** Where to write every counted referral's acceptance time and latency, per phase (to find periodic stalls). */
  series: string | undefined;
}

function flagValue(args: string[], flag: string): string | undefined {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i === -1) return undefined;
  const arg = args[i]!;
  const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[i + 1];
  if (raw === undefined || raw === '') throw new Error(`${flag} needs a value`);
  return raw;
}

function positive(args: string[], flag: string, fallback: number, integer: boolean): number {
  const raw = flagValue(args, flag);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got ${raw}`);
  return n;
}

function parseOptions(args: string[]): Options {
  const known = ['--seconds', '--warmup', '--concurrency', '--window', '--count', '--loads', '--database-url', '--log-level', '--series'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') {
      process.stderr.write('usage: pnpm bench delivery [--seconds 10] [--warmup 2] [--concurrency 32] [--window 32] [--count 100] [--loads 20,100,200] [--database-url postgres://…] [--log-level warn] [--series latencies.txt]\n');
      process.exit(0);
    }
    if (!known.includes(a.split('=')[0]!)) throw new Error(`unknown option ${a}`);
    if (!a.includes('=')) i++;
  }
  const loadsRaw = flagValue(args, '--loads');
  const loads = loadsRaw === undefined ? [20, 100, 200] : loadsRaw.split(',').map(Number);
  if (loads.some((l) => !Number.isFinite(l) || l <= 0)) throw new Error(`--loads needs positive rates, got ${loadsRaw}`);
  const logLevel = flagValue(args, '--log-level') ?? 'warn';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new Error(`--log-level: unknown level ${logLevel}`);
  return {
    seconds: positive(args, '--seconds', 10, false),
    warmup: flagValue(args, '--warmup') === '0' ? 0 : positive(args, '--warmup', 2, false),
    concurrency: positive(args, '--concurrency', 32, true),
    count: positive(args, '--count', 100, true),
    window: flagValue(args, '--window') === '0' ? 0 : positive(args, '--window', 32, true),
    loads,
    databaseUrl: flagValue(args, '--database-url') ?? (process.env.BENCH_DATABASE_URL || undefined) ?? (process.env.TEST_DATABASE_URL || undefined),
    logLevel,
    series: flagValue(args, '--series'),
  };
}

const progress = (line: string): void => void process.stderr.write(`[bench delivery] ${line}\n`);

// ---------------------------------------------------------------- cleanup

class Cleanup {
  private readonly steps: Array<{ name: string; fn: () => Promise<unknown> }> = [];
  private running: Promise<void> | undefined;

  add(name: string, fn: () => Promise<unknown>): void {
    this.steps.push({ name, fn });
  }

  /** Runs every step once, last registered first; a step that fails or hangs does not stop the rest. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, fn } of this.steps.reverse()) {
        try {
          await withTimeout(fn(), 20_000, name);
        } catch (err) {
          progress(`cleanup: ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.running;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Set on Ctrl-C: the load generator stops issuing requests so the nodes can shut down quickly. */
let aborted = false;

// ---------------------------------------------------------------- databases

interface Databases {
  mode: 'external' | 'embedded';
  urls: Record<NodeId, string>;
  settings: Record<string, string>;
}

type NodeId = 'atina' | 'pvpt';
const NODES: Array<{ id: NodeId; name: string; jurisdiction: string }> = [
  { id: 'atina', name: 'Atina — Belgrade (bench)', jurisdiction: 'RS' },
  { id: 'pvpt', name: 'PVPT — Prishtina (bench)', jurisdiction: 'XK' },
];

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function createDatabase(adminUrl: string, name: string, cleanup: Cleanup | undefined): Promise<string> {
  const admin = openDatabase(adminUrl, { max: 1 });
  try {
    await admin.pool.query(`create database "${name}"`);
  } finally {
    await admin.close();
  }
  cleanup?.add(`drop database ${name}`, async () => {
    const a = openDatabase(adminUrl, { max: 1 });
    try {
      await a.pool.query(`drop database if exists "${name}" with (force)`);
    } finally {
      await a.close();
    }
  });
  return withDatabase(adminUrl, name);
}

async function serverSettings(url: string): Promise<Record<string, string>> {
  const h = openDatabase(url, { max: 1 });
  try {
    const { rows } = await h.pool.query<Record<string, string>>(
      `select current_setting('server_version') as server_version, current_setting('fsync') as fsync,
              current_setting('synchronous_commit') as synchronous_commit, current_setting('shared_buffers') as shared_buffers,
              current_setting('max_connections') as max_connections`,
    );
    return rows[0]!;
  } finally {
    await h.close();
  }
}

async function setUpDatabases(options: Options, cleanup: Cleanup): Promise<Databases> {
  const suffix = randomBytes(4).toString('hex');
  if (options.databaseUrl) {
    const adminUrl = options.databaseUrl;
    const urls = {} as Record<NodeId, string>;
    for (const { id } of NODES) urls[id] = await createDatabase(adminUrl, `bench_${id}_${suffix}`, cleanup);
    const host = new URL(adminUrl);
    progress(`external PostgreSQL at ${host.hostname}:${host.port || 5432}: databases bench_atina_${suffix}, bench_pvpt_${suffix}`);
    return { mode: 'external', urls, settings: { server: `${host.hostname}:${host.port || 5432}`, ...(await serverSettings(urls.atina)) } };
  }
  progress('starting one embedded PostgreSQL per node, each in a temporary directory');
  const urls = {} as Record<NodeId, string>;
  await Promise.all(
    NODES.map(async ({ id }) => {
      // A directory of its own, which the postgres user can reach also when run as root.
      const dir = await temporaryClusterDir(`bridge-bench-${id}-`);
      cleanup.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
      const server = await startEmbeddedPostgres(dir, { password: randomBytes(16).toString('hex') });
      cleanup.add(`stop embedded PostgreSQL of ${id}`, () => server.stop());
      // The server and its files go away as a whole: no need to drop the database.
      urls[id] = await createDatabase(server.url, `bench_${id}_${suffix}`, undefined);
    }),
  );
  return { mode: 'embedded', urls, settings: { server: 'embedded, one per node', ...(await serverSettings(urls.atina)) } };
}

// ---------------------------------------------------------------- node processes

class NodeProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  private exited = false;
  readonly exit: Promise<void>;

  private constructor(
    readonly id: NodeId,
    private readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        for (const p of this.pending.values()) p.reject(new Error(`${id} node process exited (${signal ?? code})`));
        this.pending.clear();
        resolve();
      });
    });
    child.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(`${id}: ${reply.error}`));
    });
  }

  static spawn(id: NodeId): NodeProcess {
    // Each node runs under tsx in its own process; its stdout (and logs) go to our stderr.
    const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
    const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const child = fork(workerPath, [], { cwd: repoRoot, execArgv: ['--import', 'tsx', ...profile, ...flags], stdio: ['ignore', 2, 2, 'ipc'], env: { ...process.env } });
    return new NodeProcess(id, child);
  }

  call(cmd: WorkerRequest, timeoutMs = 60_000): Promise<string> {
    if (this.exited || !this.child.connected) return Promise.reject(new Error(`${this.id} node process is not running`));
    const id = this.nextId++;
    const promise = new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...cmd, id } as WorkerCommand);
    });
    return withTimeout(promise, timeoutMs, `${this.id} ${cmd.type}`);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await this.call({ type: 'stop' }, 15_000);
      await withTimeout(this.exit, 5_000, `${this.id} exit`);
    } catch {
      if (!this.exited) this.child.kill('SIGKILL');
      await withTimeout(this.exit, 5_000, `${this.id} exit after SIGKILL`).catch(() => {});
    }
  }
}

// ---------------------------------------------------------------- load generation

interface Target {
  url: string;
  token: string;
}

type PostResult = { ok: true; id: string; acceptedAt: number } | { ok: false; kind: string };

/** Wall-clock milliseconds with sub-millisecond resolution: performance.now() plus an offset calibrated against Date.now(). */
class WallClock {
  private offset = 0;

  constructor() {
    this.calibrate();
  }

  /** Takes the offset at the instant Date.now() ticks, so it is accurate to well under 1 ms. */
  calibrate(): void {
    const start = Date.now();
    let now = start;
    while (now === start) now = Date.now();
    this.offset = now - performance.now();
  }

  now(): number {
    return this.offset + performance.now();
  }
}

interface Tally {
  accepted: Array<{ id: string; acceptedAt: number }>;
  errors: number;
  errorKinds: Record<string, number>;
}

const newTally = (): Tally => ({ accepted: [], errors: 0, errorKinds: {} });

function tallyResult(t: Tally, r: PostResult): void {
  if (r.ok) t.accepted.push({ id: r.id, acceptedAt: r.acceptedAt });
  else {
    t.errors++;
    t.errorKinds[r.kind] = (t.errorKinds[r.kind] ?? 0) + 1;
  }
}

/**
 * Keep-alive connections for the generator. node:http rather than fetch: the generator shares the
 * machine with what it measures, and fetch cost it about twice the CPU per request.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function postReferral(target: Target, body: string, clock: WallClock): Promise<PostResult> {
  return new Promise((resolve) => {
    const req = http.request(`${target.url}/v1/referrals`, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      const acceptedAt = clock.now();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 201) return resolve({ ok: false, kind: `http_${res.statusCode}` });
        try {
          const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown }).id;
          resolve(typeof id === 'string' ? { ok: true, id, acceptedAt } : { ok: false, kind: 'no_id' });
        } catch {
          resolve({ ok: false, kind: 'bad_json' });
        }
      });
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, kind: err.code ? `network_${err.code}` : 'network_error' }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, kind: err.code ? `network_${err.code}` : `error_${err.name}` }));
    req.end(body);
  });
}

/**
 * Open loop: request i is due at i/rate seconds and is sent then, whether or not earlier ones have
 * been answered. The first `warmupS` seconds' requests are not counted.
 */
async function openLoop(target: Target, rate: number, warmupS: number, seconds: number, clock: WallClock) {
  const body = JSON.stringify(demoReferral(new Date()));
  const total = Math.round(rate * (warmupS + seconds));
  const warmupCount = Math.round(rate * warmupS);
  const measured = newTally();
  const inflight: Array<Promise<void>> = [];
  let issued = 0;
  let maxLagMs = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1);
      while (issued < due) {
        const i = issued++;
        if (i >= warmupCount) maxLagMs = Math.max(maxLagMs, elapsed - (i * 1000) / rate);
        const p = postReferral(target, body, clock);
        inflight.push(i < warmupCount ? p.then(() => {}) : p.then((r) => tallyResult(measured, r)));
      }
      if (issued >= total || aborted) return resolve();
      setTimeout(tick, Math.max(0, (issued * 1000) / rate - (performance.now() - start)));
    };
    tick();
  });
  const sendSpanS = (performance.now() - start) / 1000;
  await Promise.all(inflight);
  return { tally: measured, issued: total - warmupCount, maxLagMs, sendSpanS };
}

/**
 * atina's undelivered messages, counted through the partial index the dispatcher claims from. On a
 * connection without bitmap scans (`withoutBitmapScans`): a plain index scan marks the entries of
 * delivered rows dead as it passes them, as the claim's own scan does. With a bitmap scan (what
 * PostgreSQL picks for this count), the entries of every row delivered since the last vacuum were
 * visited again on every poll: 9-14 ms a poll late in a run, taken from the nodes being measured.
 */
const UNDELIVERED_SQL = `select count(*) as n from outbox_messages where status in ('queued', 'sending', 'retrying')`;

function withoutBitmapScans(url: string): string {
  const u = new URL(url);
  u.searchParams.set('options', '-c enable_bitmapscan=off');
  return u.toString();
}

/**
 * Undelivered messages at atina, polled every 50 ms while `watch` runs, so the saturation clients
 * can hold back: sustained throughput is what is delivered while the backlog stays bounded, not
 * what the integration API accepts into an ever-growing outbox.
 */
class BacklogWatch {
  pending = 0;
  private running = true;
  private readonly loop: Promise<void>;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private failure: unknown;

  constructor(private readonly db: DatabaseHandle) {
    this.loop = (async () => {
      while (this.running) {
        let n: number;
        try {
          n = Number((await this.db.pool.query<{ n: string }>(UNDELIVERED_SQL)).rows[0]!.n);
        } catch (err) {
          // Clients waiting for a poll that will never come fail with it.
          this.failure = err;
          for (const w of this.waiters.splice(0)) w.reject(err);
          throw err;
        }
        this.pending = n;
        for (const w of this.waiters.splice(0)) w.resolve();
        // Every 10 ms, polls took ~10 % of a core from what is measured. Between polls, the
        // clients' own increments keep the window.
        await sleep(50);
      }
    })();
    // A failed poll rejects the clients waiting for one, and stop() rethrows it; until then it is
    // not an unhandled rejection (which would end the generator before its cleanup).
    this.loop.catch(() => {});
  }

  /**
   * Resolves after the next poll: only a poll lowers `pending`, so a client held back by the
   * window waits for one instead of waking on a timer (32 clients every 2 ms took CPU from the
   * nodes being measured).
   */
  polled(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (!this.running) return sleep(50);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async stop(): Promise<void> {
    this.running = false;
    try {
      await this.loop;
    } finally {
      for (const w of this.waiters.splice(0)) w.resolve();
    }
  }
}

/**
 * Closed loop: `concurrency` clients each post, wait for the answer, and post again; with a
 * `window`, a client also waits while atina holds that many undelivered messages or more.
 */
async function closedLoop(target: Target, concurrency: number, warmupS: number, seconds: number, clock: WallClock, backlog?: { watch: BacklogWatch; window: number }) {
  const body = JSON.stringify(demoReferral(new Date()));
  const tally = newTally();
  const start = performance.now();
  const measureFrom = start + warmupS * 1000;
  const end = measureFrom + seconds * 1000;
  const windowStart = clock.now() + warmupS * 1000;
  const windowEnd = windowStart + seconds * 1000;
  const client = async () => {
    while (performance.now() < end && !aborted) {
      if (backlog && backlog.watch.pending >= backlog.window) {
        await backlog.watch.polled();
        continue;
      }
      // Counted at once: the next poll may not see this one yet.
      if (backlog) backlog.watch.pending++;
      const r = await postReferral(target, body, clock);
      const at = performance.now();
      if (at >= measureFrom && at < end) tallyResult(tally, r);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { tally, windowStart, windowEnd };
}

// ---------------------------------------------------------------- measurement at atina's outbox

/** Waits until atina has no message left to send, or until no progress for `stallMs` (or `capMs` in all). */
async function drain(db: DatabaseHandle, stallMs: number, capMs: number): Promise<number> {
  const started = Date.now();
  let lastPending = Number.POSITIVE_INFINITY;
  let lastProgress = Date.now();
  for (;;) {
    const { rows } = await db.pool.query<{ n: string }>(UNDELIVERED_SQL);
    const pending = Number(rows[0]!.n);
    if (pending === 0 || aborted) return pending;
    if (pending < lastPending) {
      lastPending = pending;
      lastProgress = Date.now();
    }
    if (Date.now() - lastProgress > stallMs || Date.now() - started > capMs) return pending;
    await sleep(200);
  }
}

interface Latency {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentile; undelivered referrals count as infinitely late (reported as null). */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const v = sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
  return Number.isFinite(v) ? Math.round(v * 10) / 10 : null;
}

async function latencies(db: DatabaseHandle, accepted: Tally['accepted'], series?: { path: string; phase: string }): Promise<{ delivered: number; undelivered: number; latency: Latency; negative: number }> {
  const deliveredAt = new Map<string, number>();
  for (let i = 0; i < accepted.length; i += 5000) {
    const ids = accepted.slice(i, i + 5000).map((a) => a.id);
    const { rows } = await db.pool.query<{ referral_id: string; delivered_at: Date }>(
      `select referral_id, delivered_at from outbox_messages
        where referral_id = any($1::uuid[]) and type = 'referral.request' and status = 'delivered'`,
      [ids],
    );
    for (const r of rows) deliveredAt.set(r.referral_id, r.delivered_at.getTime());
  }
  const samples = accepted.map((a) => {
    const d = deliveredAt.get(a.id);
    return d === undefined ? Number.POSITIVE_INFINITY : d - a.acceptedAt;
  });
  // One line per referral: phase, acceptance time (ms since the epoch), latency in ms (Infinity: undelivered).
  if (series) appendFileSync(series.path, accepted.map((a, i) => `${series.phase} ${a.acceptedAt} ${samples[i]}\n`).join(''));
  samples.sort((a, b) => a - b);
  return {
    delivered: deliveredAt.size,
    undelivered: accepted.length - deliveredAt.size,
    // delivered_at has millisecond precision; a receipt recorded before the client read its 201 shows as ≤ 0.
    negative: samples.filter((s) => s < 0).length,
    latency: { p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99), max: percentile(samples, 100) },
  };
}

/** Attempts per message over the whole run: more than one means a delivery failed and was retried. */
async function attemptsHistogram(db: DatabaseHandle): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ attempts: number; n: string }>(`select attempts, count(*) as n from outbox_messages group by attempts order by attempts`);
  return Object.fromEntries(rows.map((r) => [String(r.attempts), Number(r.n)]));
}

async function deliveredBetween(db: DatabaseHandle, from: number, to: number): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`select count(*) as n from outbox_messages where delivered_at >= $1 and delivered_at < $2`, [new Date(from), new Date(to)]);
  return Number(rows[0]!.n);
}

// ---------------------------------------------------------------- machine load

/** Busy share of all CPUs since `from` (everything on the machine, not only this benchmark). */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

function busyPct(from: { busy: number; total: number }): number {
  const now = cpuTimes();
  return now.total === from.total ? 0 : Math.round(((now.busy - from.busy) / (now.total - from.total)) * 100);
}

// ---------------------------------------------------------------- the benchmark

// ---------------------------------------------------------------- statements per referral

/** Per node: statements sent so far by first keyword, and the CPU time its process has used (µs). */
type StatementCounts = Record<NodeId, { counts: Record<string, number>; cpuUs: number }>;

async function statementCounts(nodes: Record<NodeId, NodeProcess>): Promise<StatementCounts> {
  const out = {} as StatementCounts;
  for (const { id } of NODES) out[id] = JSON.parse(await nodes[id].call({ type: 'statements' })) as StatementCounts[NodeId];
  return out;
}

async function referralCount(db: DatabaseHandle): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`select count(*) as n from referrals`);
  return Number(rows[0]!.n);
}

interface StatementsPerReferral {
  referrals: number;
  /**
   * Per node: all statements, then by first keyword (begin, commit, select, insert, update, ...),
   * and `cpu_ms`, the CPU time (user + system) the node process used per referral: unlike
   * throughput, it hardly moves with the machine's noise.
   */
  atina: Record<string, number>;
  pvpt: Record<string, number>;
}

/** What each node sent to PostgreSQL between two snapshots, divided by the referrals created meanwhile. */
function perReferral(from: StatementCounts, to: StatementCounts, referrals: number): StatementsPerReferral {
  const side = (id: NodeId) => {
    const kinds = new Set([...Object.keys(from[id].counts), ...Object.keys(to[id].counts)]);
    const out: Record<string, number> = { total: 0 };
    for (const k of [...kinds].sort()) {
      const d = (to[id].counts[k] ?? 0) - (from[id].counts[k] ?? 0);
      if (d === 0) continue;
      out[k] = Math.round((d / Math.max(1, referrals)) * 100) / 100;
      if (k !== 'round_trips') out.total! += d;
    }
    out.total = Math.round((out.total! / Math.max(1, referrals)) * 100) / 100;
    out.cpu_ms = Math.round((to[id].cpuUs - from[id].cpuUs) / 10 / Math.max(1, referrals)) / 100;
    return out;
  };
  return { referrals, atina: side('atina'), pvpt: side('pvpt') };
}

/** `n` referrals one after the other, then drained: the deterministic statements-per-referral figure. */
async function sequentialPhase(target: Target, n: number, db: DatabaseHandle, nodes: Record<NodeId, NodeProcess>, clock: WallClock) {
  const body = JSON.stringify(demoReferral(new Date()));
  const fromCount = await referralCount(db);
  const from = await statementCounts(nodes);
  const tally = newTally();
  for (let i = 0; i < n && !aborted; i++) tallyResult(tally, await postReferral(target, body, clock));
  await drain(db, FIXED_DRAIN_TIMEOUT_MS, FIXED_DRAIN_TIMEOUT_MS);
  const to = await statementCounts(nodes);
  return { errors: tally.errors, statements: perReferral(from, to, (await referralCount(db)) - fromCount) };
}

interface Phase {
  offered_per_s: number;
  issued: number;
  achieved_send_rate_per_s: number;
  generator_max_lag_ms: number;
  machine_cpu_busy_pct: number;
  accepted: number;
  delivered: number;
  undelivered: number;
  errors: number;
  error_kinds?: Record<string, number>;
  latency_ms: Latency;
  statements_per_referral: StatementsPerReferral;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

export async function run(args: string[]): Promise<unknown> {
  const options = parseOptions(args);
  const cleanup = new Cleanup();
  // Stays installed until cleanup is over: Ctrl-C reaches this process twice (from the terminal
  // and relayed by tsx), and a second, unhandled SIGINT would kill it before the databases are gone.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    aborted = true;
    progress(`${signal}: cleaning up`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const loadStart = loadavg()[0]!;
  try {
    const databases = await setUpDatabases(options, cleanup);

    const nodes = {} as Record<NodeId, NodeProcess>;
    for (const { id } of NODES) {
      nodes[id] = NodeProcess.spawn(id);
      cleanup.add(`stop ${id} node`, () => nodes[id].stop());
    }
    const urls = {} as Record<NodeId, NodeUrls>;
    await Promise.all(
      NODES.map(async ({ id, name, jurisdiction }) => {
        urls[id] = JSON.parse(await nodes[id].call({ type: 'start', nodeId: id, name, jurisdiction, databaseUrl: databases.urls[id], logLevel: options.logLevel }, 120_000)) as NodeUrls;
      }),
    );
    progress(`nodes up: atina ${urls.atina.federation} (private ${urls.atina.private}), pvpt ${urls.pvpt.federation} (private ${urls.pvpt.private})`);
    // Peers meet on the federation listeners; the load goes to atina's integration API on its private one.
    await nodes.atina.call({ type: 'onboard', peerUrl: urls.pvpt.federation });
    await nodes.pvpt.call({ type: 'onboard', peerUrl: urls.atina.federation });
    const target: Target = { url: urls.atina.private, token: await nodes.atina.call({ type: 'token' }) };

    // The bench's own reads of atina's database. No bitmap scans: see UNDELIVERED_SQL.
    const atinaDb = openDatabase(withoutBitmapScans(databases.urls.atina), { max: 2 });
    cleanup.add('close atina query pool', () => atinaDb.close());
    // Runs before the nodes stop (last registered, first run): their keep-alive connections go first.
    cleanup.add('close the generator connections', async () => agent.destroy());
    const clock = new WallClock();

    progress(`statements per referral: ${options.count} referrals one after the other`);
    const sequential = await sequentialPhase(target, options.count, atinaDb, nodes, clock);
    progress(`  atina ${sequential.statements.atina.total}, pvpt ${sequential.statements.pvpt.total} statements per referral`);

    const phases: Phase[] = [];
    for (const load of options.loads) {
      progress(`open loop at ${load}/s: ${options.warmup} s warm-up + ${options.seconds} s`);
      clock.calibrate();
      const phaseFrom = { statements: await statementCounts(nodes), referrals: await referralCount(atinaDb) };
      const cpuFrom = cpuTimes();
      const { tally, issued, maxLagMs, sendSpanS } = await openLoop(target, load, options.warmup, options.seconds, clock);
      const cpuBusy = busyPct(cpuFrom);
      const left = await drain(atinaDb, FIXED_DRAIN_TIMEOUT_MS, FIXED_DRAIN_TIMEOUT_MS);
      const measured = await latencies(atinaDb, tally.accepted, options.series ? { path: options.series, phase: String(load) } : undefined);
      if (left > 0) {
        // Counted as undelivered above; the backlog still has to go before the next phase starts.
        progress(`  ${left} messages still undelivered after ${FIXED_DRAIN_TIMEOUT_MS / 1000} s; draining before the next phase`);
        await drain(atinaDb, FIXED_DRAIN_TIMEOUT_MS, SATURATION_DRAIN_CAP_MS);
      }
      const phaseStatements = perReferral(phaseFrom.statements, await statementCounts(nodes), (await referralCount(atinaDb)) - phaseFrom.referrals);
      phases.push({
        offered_per_s: load,
        issued,
        achieved_send_rate_per_s: round1(Math.round(load * (options.warmup + options.seconds)) / sendSpanS),
        generator_max_lag_ms: round1(maxLagMs),
        machine_cpu_busy_pct: cpuBusy,
        accepted: tally.accepted.length,
        delivered: measured.delivered,
        undelivered: measured.undelivered,
        errors: tally.errors,
        ...(tally.errors > 0 ? { error_kinds: tally.errorKinds } : {}),
        latency_ms: measured.latency,
        statements_per_referral: phaseStatements,
      });
      progress(`  accepted ${tally.accepted.length}, delivered ${measured.delivered}, errors ${tally.errors}, p50 ${measured.latency.p50} ms, p99 ${measured.latency.p99} ms`);
    }

    progress(`closed loop, ${options.concurrency} clients${options.window > 0 ? `, at most ${options.window} undelivered` : ''}: ${options.warmup} s warm-up + ${options.seconds} s`);
    clock.calibrate();
    const satFrom = { statements: await statementCounts(nodes), referrals: await referralCount(atinaDb) };
    const satCpuFrom = cpuTimes();
    const watch = options.window > 0 ? new BacklogWatch(atinaDb) : undefined;
    const sat = await closedLoop(target, options.concurrency, options.warmup, options.seconds, clock, watch ? { watch, window: options.window } : undefined).finally(() => watch?.stop());
    const satCpuBusy = busyPct(satCpuFrom);
    const satDrainStarted = Date.now();
    const satLeft = await drain(atinaDb, FIXED_DRAIN_TIMEOUT_MS, SATURATION_DRAIN_CAP_MS);
    const satDrainS = (Date.now() - satDrainStarted) / 1000;
    if (satLeft > 0) progress(`  ${satLeft} messages still undelivered after draining for ${round1(satDrainS)} s`);
    const satMeasured = await latencies(atinaDb, sat.tally.accepted, options.series ? { path: options.series, phase: 'saturation' } : undefined);
    const deliveredInWindow = await deliveredBetween(atinaDb, sat.windowStart, sat.windowEnd);
    const satStatements = perReferral(satFrom.statements, await statementCounts(nodes), (await referralCount(atinaDb)) - satFrom.referrals);
    const saturation = {
      concurrency: options.concurrency,
      window: options.window,
      accepted: sat.tally.accepted.length,
      accepted_per_s: round1(sat.tally.accepted.length / options.seconds),
      delivered_in_window: deliveredInWindow,
      delivered_per_s: round1(deliveredInWindow / options.seconds),
      backlog_drain_s: round1(satDrainS),
      machine_cpu_busy_pct: satCpuBusy,
      undelivered: satMeasured.undelivered,
      errors: sat.tally.errors,
      ...(sat.tally.errors > 0 ? { error_kinds: sat.tally.errorKinds } : {}),
      latency_ms: satMeasured.latency,
      statements_per_referral: satStatements,
    };
    progress(`  accepted ${saturation.accepted_per_s}/s, delivered ${saturation.delivered_per_s}/s, p50 ${satMeasured.latency.p50} ms, p99 ${satMeasured.latency.p99} ms`);

    const p99At = (load: number) => phases.find((p) => p.offered_per_s === load)?.latency_ms.p99 ?? null;
    const at20 = p99At(20);
    const at200 = p99At(200);
    const targets = [
      { name: 'sustained delivered/s at saturation', target: `>= ${TARGETS.saturationPerS}/s`, measured: saturation.delivered_per_s, pass: saturation.delivered_per_s >= TARGETS.saturationPerS },
      { name: 'p99 latency at saturation', target: `<= ${TARGETS.saturationP99Ms} ms`, measured: saturation.latency_ms.p99, pass: saturation.latency_ms.p99 !== null && saturation.latency_ms.p99 <= TARGETS.saturationP99Ms },
      { name: 'p99 latency at 20/s', target: `<= ${TARGETS.p99At20Ms} ms`, measured: at20, pass: at20 !== null && at20 <= TARGETS.p99At20Ms },
      { name: 'p99 latency at 200/s', target: `<= ${TARGETS.p99At200Ms} ms`, measured: at200, pass: at200 !== null && at200 <= TARGETS.p99At200Ms },
    ];

    const result = {
      benchmark: 'delivery',
      node: process.version,
      cpus: availableParallelism(),
      cpu_model: cpus()[0]?.model ?? 'unknown',
      loadavg_1m: { start: round1(loadStart), end: round1(loadavg()[0]!) },
      database: databases.mode,
      database_settings: databases.settings,
      node_delivery_config: defaultDelivery,
      seconds: options.seconds,
      warmup_seconds: options.warmup,
      statements_per_referral: { ...sequential.statements, errors: sequential.errors },
      phases,
      saturation,
      outbox_attempts_histogram: await attemptsHistogram(atinaDb),
      targets,
      note:
        'statements_per_referral: statements each node process sent to PostgreSQL (BEGIN/COMMIT included) per referral created, with their drain, and round_trips: those of them that waited for an answer (the rest travelled pipelined behind another on the same connection); ' +
        'the top-level figure comes from --count referrals sent one after the other and does not depend on machine load. ' +
        'Two nodes (atina → pvpt), each in its own process on its own database, load generator in the parent process, all on this machine. ' +
        'Latency = atina outbox_messages.delivered_at (stamped by the dispatcher once pvpt\'s receipt is back, just before it verifies and commits it) − time the 201 of POST /v1/referrals was received; ' +
        'undelivered referrals count as infinitely late (a null percentile). Fixed loads are open-loop (sent on schedule, not waiting for answers); ' +
        'the first warm-up seconds of each are not counted; after each phase the outbox is drained (up to 30 s) before the next. ' +
        'Saturation is closed-loop: with --window n (default 32) a client also waits while atina has n or more undelivered messages, so the phase measures what is delivered with a bounded backlog; --window 0 lets accepts outrun delivery. accepted/s counts 201s in the window, delivered/s counts outbox rows whose delivered_at falls in the window, ' +
        'its latency includes the time spent in the backlog. machine_cpu_busy_pct is the whole machine (other processes included) during the load window. Nodes run with defaultDelivery (node_delivery_config) and log level ' + options.logLevel + '.',
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await cleanup.run();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
