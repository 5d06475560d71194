/**
 * Audit log costs on a real PostgreSQL: the append rate (one INSERT in its own transaction, as the
 * domain code does), the sequencer's rate, inclusion and consistency proof generation (from the
 * stored tree) and verification at the full size, and the full verification of every leaf (export
 * read from the database, every leaf hash recomputed, the tree rebuilt, the root compared with the
 * signed checkpoint, as `bridge audit verify` does offline). Prints one JSON object on stdout;
 * progress goes to stderr. Timings depend on the machine's load, printed with them.
 *
 *   pnpm bench audit [--leaves <n>] [--appends <n>] [--proofs <n>] [--database-url <url>]
 *
 * Database: --database-url (or BENCH_DATABASE_URL / TEST_DATABASE_URL): a fresh database is created
 * there and dropped afterwards; otherwise an embedded PostgreSQL in a temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { decodeHash, generateNodeKeys, verifyConsistency, verifyInclusion } from '../../packages/crypto/src/index.ts';
import { openDatabase } from '../../services/node/src/db/client.ts';
import { applyMigrations } from '../../services/node/src/db/migrate.ts';
import { startEmbeddedPostgres, temporaryClusterDir } from '../../services/node/src/db/embedded.ts';
import { appendAudit } from '../../services/node/src/audit/append.ts';
import { auditLeafHash } from '../../services/node/src/audit/entry.ts';
import { eventInclusion } from '../../services/node/src/audit/admin.ts';
import { checkpoint, sequenceBatch } from '../../services/node/src/audit/sequencer.ts';
import { consistencyProof } from '../../services/node/src/audit/tree.ts';
import { exportAudit } from '../../services/node/src/audit/export.ts';
import { verifyExport } from '../../services/node/src/audit/verify.ts';
import { parseExport, toNdjson } from '../../services/node/src/audit/export-format.ts';
import type { NodeConfig } from '../../services/node/src/config.ts';
import { systemClock } from '../../services/node/src/clock.ts';
import { withDatabase } from '../../services/node/tests/support/database-url.ts';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

function count(args: string[], name: string, fallback: number): number {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer, got ${raw}`);
  return n;
}

const progress = (line: string) => process.stderr.write(`[bench audit] ${line}\n`);
const ms = (ns: bigint) => Number(ns) / 1e6;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function stats(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return { median_ms: round3(at(50)), p90_ms: round3(at(90)), p99_ms: round3(at(99)) };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, ms(process.hrtime.bigint() - start)];
}

export async function run(args: string[]): Promise<void> {
  const leaves = count(args, '--leaves', 1_000_000);
  const appends = count(args, '--appends', 5_000);
  const proofs = count(args, '--proofs', 500);
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const adminUrl = flag(args, '--database-url') ?? (process.env.BENCH_DATABASE_URL || undefined) ?? (process.env.TEST_DATABASE_URL || undefined);
    let serverUrl: string;
    if (adminUrl) serverUrl = adminUrl;
    else {
      const dir = await temporaryClusterDir('bridge-bench-audit-');
      cleanup.unshift(() => rm(dir, { recursive: true, force: true }));
      progress(`starting an embedded PostgreSQL in ${dir}`);
      const server = await startEmbeddedPostgres(dir, { password: randomBytes(16).toString('hex') });
      cleanup.unshift(() => server.stop());
      serverUrl = server.url;
    }
    const name = `bench_audit_${randomBytes(4).toString('hex')}`;
    const admin = openDatabase(serverUrl, { max: 1 });
    await admin.pool.query(`create database "${name}"`);
    await admin.close();
    cleanup.unshift(async () => {
      const a = openDatabase(serverUrl, { max: 1 });
      await a.pool.query(`drop database if exists "${name}" with (force)`).finally(() => a.close());
    });
    const handle = openDatabase(withDatabase(serverUrl, name), { max: 10 });
    cleanup.unshift(() => handle.close());
    const db = handle.db;
    await applyMigrations(db);
    const config = { nodeId: 'atina', keys: await generateNodeKeys(new Date(Date.now() - 60_000)) } as NodeConfig;
    const ctx = { db, config, clock: systemClock };

    // 1. Appends: each its own transaction, 8 at a time, as concurrent requests would.
    progress(`${appends} appends, 8 concurrent transactions`);
    let next = 0;
    const [, appendMs] = await timed(() =>
      Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < appends) {
            next++;
            await db.transaction((tx) => appendAudit(tx, { type: 'message.received', actor: 'pvpt', at: new Date(), peerNodeId: 'pvpt', referralId: crypto.randomUUID(), messageId: crypto.randomUUID(), digest: 'sha-256:T4O9zgg1PBRENsDKAouEg4Eko66XYujQUbcmUxyWZzw', detail: { messageType: 'referral.request', seq: 1 } }));
          }
        }),
      ),
    );

    // 2. Bulk-load the rest of the events in SQL, then sequence everything.
    const bulk = Math.max(0, leaves - appends);
    progress(`bulk-loading ${bulk} events`);
    for (let done = 0; done < bulk; done += 200_000) {
      const n = Math.min(200_000, bulk - done);
      await handle.pool.query(
        `insert into audit_events (at, type, actor, peer_node_id, referral_id, message_id, digest, detail)
         select now() - (g || ' ms')::interval, 'message.received', 'pvpt', 'pvpt', gen_random_uuid(), gen_random_uuid(),
                'sha-256:T4O9zgg1PBRENsDKAouEg4Eko66XYujQUbcmUxyWZzw', jsonb_build_object('messageType', 'referral.request', 'seq', g % 7)
         from generate_series(1, $1::int) g`,
        [n],
      );
    }
    progress(`sequencing ${leaves} leaves`);
    const [, sequenceMs] = await timed(async () => {
      let total = 0;
      for (;;) {
        const n = await sequenceBatch(db);
        if (n === 0) break;
        total += n;
        if (total % 100_000 < n) progress(`  ${total} sequenced`);
      }
    });
    const [cp, checkpointMs] = await timed(() => checkpoint(ctx));
    const root = decodeHash(cp.rootHash)!;
    progress(`checkpoint over ${cp.treeSize} leaves`);

    // 3. Inclusion proofs by event id, as the admin API serves them (entry and proof from the
    //    database, the function GET /admin/v1/audit/events/{id} runs after syncing the log).
    const { rows: [bounds] } = await handle.pool.query<{ lo: string; hi: string }>('select min(event_idx) as lo, max(event_idx) as hi from audit_leaves');
    const genMs: number[] = [];
    const verMs: number[] = [];
    let verified = 0;
    for (let i = 0; i < proofs; i++) {
      const eventId = Number(bounds!.lo) + Math.floor(Math.random() * (Number(bounds!.hi) - Number(bounds!.lo) + 1));
      const [found, g] = await timed(() => eventInclusion(db, cp.treeSize, eventId));
      genMs.push(g);
      if (!found) continue;
      const start = process.hrtime.bigint();
      const ok = verifyInclusion(auditLeafHash(found.event, found.leafIndex), found.leafIndex, cp.treeSize, found.proof.map((h) => decodeHash(h)!), root);
      verMs.push(ms(process.hrtime.bigint() - start));
      if (ok) verified++;
    }

    // 4. A consistency proof from a random earlier size (roots of both from the stored tree).
    const consGen: number[] = [];
    const consVer: number[] = [];
    for (let i = 0; i < Math.min(proofs, 100); i++) {
      const old = 1 + Math.floor(Math.random() * (cp.treeSize - 1));
      const [proof, g] = await timed(() => consistencyProof(db, old, cp.treeSize));
      consGen.push(g);
      // The old root is recomputed from the stored tree here; a witness has it from its co-signature.
      const [oldRoot] = await inclusionRoot(db, old);
      const start = process.hrtime.bigint();
      verifyConsistency(old, cp.treeSize, oldRoot, root, proof.map((h) => decodeHash(h)!));
      consVer.push(ms(process.hrtime.bigint() - start));
    }

    // 5. Full verification, as `bridge audit verify` does it: the complete export (every event, no
    //    per-entry proofs) as NDJSON, parsed, every leaf recomputed, the tree rebuilt, the root
    //    compared with the signed checkpoint. The export is read from the database first.
    progress('full verification');
    const [text, exportMs] = await timed(async () => {
      const parts: string[] = [];
      for await (const r of exportAudit(ctx, {}, { proofs: false })) parts.push(toNdjson(r));
      return parts.join('');
    });
    const [records, parseMs] = await timed(async () => parseExport(text));
    const [result, verifyMs] = await timed(() => verifyExport(records));

    console.log(
      JSON.stringify(
        {
          leaves: cp.treeSize,
          append: { transactions: appends, concurrency: 8, per_second: Math.round((appends / appendMs) * 1000), mean_latency_ms: round3((appendMs / appends) * 8) },
          sequencer: { leaves_per_second: Math.round((cp.treeSize / sequenceMs) * 1000), total_s: round3(sequenceMs / 1000), checkpoint_ms: round3(checkpointMs) },
          inclusion_proof: { samples: proofs, verified, generate: stats(genMs), verify: stats(verMs), target_ms: 1 },
          consistency_proof: { samples: consGen.length, generate: stats(consGen), verify: stats(consVer) },
          full_verification: {
            ok: result.ok,
            entries: result.entries,
            export_bytes: text.length,
            export_from_database_s: round3(exportMs / 1000),
            offline_parse_s: round3(parseMs / 1000),
            offline_verify_s: round3(verifyMs / 1000),
            offline_total_s: round3((parseMs + verifyMs) / 1000),
            target_s: 20,
          },
          machine: { cpus: os.cpus().length, load_average_1m: round3(os.loadavg()[0]!) },
        },
        null,
        2,
      ),
    );
  } finally {
    for (const step of cleanup) await step().catch(() => {});
  }
}

/** MTH of the first `size` leaves from the stored tree (O(log n) subtrees). */
async function inclusionRoot(db: Parameters<typeof consistencyProof>[0], size: number): Promise<[Uint8Array]> {
  const { compactRangeKeys, readSubtrees } = await import('../../services/node/src/audit/tree.ts');
  const { hashRangeFromSubtrees } = await import('../../packages/crypto/src/index.ts');
  const keys = compactRangeKeys(size);
  const hashes = await readSubtrees(db, keys);
  return [hashRangeFromSubtrees((l, i) => hashes.get(`${l}/${i}`)!)(0, size)];
}
