import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { createBridgeClient, type BridgeClient, type CodeLists, type Referral } from '@bridge/client';
import { initDataDir } from '../data-dir.ts';
import { ownFingerprint } from '../federation/metadata.ts';
import { freePort, startEmbeddedPostgres, temporaryClusterDir } from '../db/embedded.ts';
import { auditEvents } from '../db/schema/index.ts';
import { createNode, type BridgeNode } from '../node.ts';
import { createClient } from '../clients/clients.ts';
import { createUser } from '../people/users.ts';
import { fetchPeer, savePeer } from '../peers/peers.ts';
import { createLogger } from '../logger.ts';
import { EMBEDDED_DATABASE, ensureDatabase, type NodeDatabase } from '../cli/database.ts';
import { nodeConfigFromDataDir } from '../cli/node-config.ts';
import { accountsConfig, parseServeEnv } from '../config.ts';
import { helpText, parseCommand, UsageError, type CliIo } from '../cli/args.ts';
import { describeFailure } from '../cli/failure.ts';
import { demoCommand } from './command.ts';
import { demoLifecycle, demoReferral, demoReturnReferral } from './scenario.ts';
import pino from 'pino';

export const demoUsage = helpText(demoCommand);

interface DemoNode {
  id: string;
  /** The private listener: the node's own systems (integration API) and operators. */
  url: string;
  /** The federation listener: the node's public URL, the only one its peer reaches. */
  federationUrl: string;
  node: BridgeNode;
  database: NodeDatabase;
  token: string;
  client: BridgeClient;
}

export async function runDemo(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseCommand(argv, demoCommand));
  } catch (err) {
    io.err(`demo: ${describeFailure(err)}`);
    if (err instanceof UsageError && err.usage) io.err(err.usage);
    return 2;
  }
  if (values.help) return io.out(demoUsage), 0;
  let base: string;
  try {
    base = await mkdtemp(join(tmpdir(), 'bridge-demo-'));
  } catch (err) {
    io.err(`demo failed: ${describeFailure(err)}`);
    return 1;
  }
  const nodes: DemoNode[] = [];
  const clusters: string[] = [];
  // Embedded servers, stopped also when their node did not start.
  const stops: Array<() => Promise<void>> = [];
  try {
    io.out(`Bridge demo — working in ${base}\n`);
    for (const [id, name, jurisdiction] of [
      ['atina', 'Atina — Belgrade', 'RS'],
      ['pvpt', 'PVPT — Prishtina', 'XK'],
    ] as const) {
      nodes.push(await startDemoNode(base, id, name, jurisdiction, io, clusters, stops));
    }
    const [atina, pvpt] = nodes as [DemoNode, DemoNode];

    io.out('\nOnboarding (each operator adds the other and compares fingerprints read out by phone):');
    for (const [self, peer] of [
      [atina, pvpt],
      [pvpt, atina],
    ] as const) {
      const fetched = await fetchPeer(peer.federationUrl);
      const readOut = await ownFingerprint(peer.node.ctx.config);
      const status = fetched.fingerprint === readOut ? 'active' : 'pending';
      await savePeer(self.node.ctx.db, fetched, status, `operator:${self.id}`, new Date());
      io.out(`  ${self.id} pinned ${peer.id}: ${fetched.fingerprint} → ${status}`);
    }

    const referralIds: string[] = [];
    for (const [from, to, referral] of [
      [atina, pvpt, demoReferral(new Date())],
      [pvpt, atina, demoReturnReferral(new Date())],
    ] as const) {
      io.out(`\n${from.id} refers a person to ${to.id} (POST /v1/referrals):`);
      const created = await from.client.createReferral(referral);
      io.out(`  referral ${created.id} is ${created.status}`);
      referralIds.push(created.id);
      const delivered = await waitFor(async () => {
        const r = await from.client.getReferral(created.id);
        return r.status === 'received' ? r : undefined;
      }, 30_000);
      io.out(`  ${from.id} now shows it as ${delivered.status} (signed receipt verified)`);
      const inbound = await to.client.listReferrals({ direction: 'inbound' });
      const seen = inbound.items.find((r) => r.id === created.id);
      if (!seen) throw new Error(`${to.id} does not list the referral`);
      const p = seen.person;
      io.out(`  ${to.id} received (only what the consent covers, under a pairwise pseudonym):`);
      io.out(`    person    ${p.givenName ?? ''} ${p.familyName ?? ''} · ${p.ageBand ?? ''} · languages ${(p.languages ?? []).join(', ')}`);
      io.out(`    pseudonym ${p.pseudonym}`);
      io.out(`    services  ${seen.services.join(', ')} · urgency ${seen.urgency} · risk ${seen.risk.level} (${seen.risk.threats.join(', ')})`);
      if (seen.note) io.out(`    note      ${seen.note}`);
      const withheld = ['localId', ...Object.keys(referral.person).filter((k) => k !== 'localId' && !(k in p))];
      io.out(`    withheld  ${withheld.join(', ')} (never left ${from.id})`);
    }

    const lists = await pvpt.client.getCodeLists();
    const [firstId] = referralIds as [string];
    io.out(`\npvpt works on referral ${firstId} (each change is a signed referral.status message to atina):`);
    for (const step of demoLifecycle) {
      const before = Date.now();
      const updated = await step.run(pvpt.client, firstId);
      io.out(`  ${step.call.padEnd(54)} → ${updated.status}`);
      // atina applies pvpt's message before the next step, so both sides move together.
      await waitFor(async () => ((await atina.client.getReferral(firstId)).status === updated.status ? true : undefined), 30_000);
      io.out(`  ${''.padEnd(54)}   atina shows ${updated.status} (${Date.now() - before} ms)`);
    }
    io.out('\nStatus history of the referral on both sides (the same entries, each recorded by its own node):');
    const [atinaView, pvptView] = await Promise.all([atina.client.getReferral(firstId), pvpt.client.getReferral(firstId)]);
    for (const [side, view] of [['atina', atinaView], ['pvpt', pvptView]] as const) {
      io.out(`  ${side}:`);
      for (const line of statusHistory(view, lists)) io.out(`    ${line}`);
    }

    io.out('\nTimeline (audit logs of both nodes; ids and digests only, no personal data):');
    for (const line of await timeline(nodes)) io.out(`  ${line}`);

    io.out('\nThe console (private listener; open it at localhost, where passkeys work). Each link signs up one person, once, within an hour:');
    for (const n of nodes) {
      const people = await demoPeople(n);
      io.out(`  ${n.id.padEnd(6)} ${people.console}`);
      for (const p of people.links) io.out(`    ${p.role.padEnd(12)} ${p.url}`);
    }
    io.out('  An operator enrols with a passkey; a case worker with a passkey, or a password and an authenticator app (TOTP).');

    if (!values.once) {
      io.out(`\nBoth nodes keep running. Try:\n  curl -H "authorization: Bearer ${atina.token}" ${atina.url}/v1/referrals    (private listener)\n  curl ${pvpt.federationUrl}/.well-known/jwks.json    (federation listener)\nPress Ctrl-C to stop and clean up.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    io.out('\ndemo finished');
    return 0;
  } catch (err) {
    io.err(`demo failed: ${describeFailure(err)}`);
    return 1;
  } finally {
    for (const n of nodes.reverse()) await n.node.stop().catch(() => {});
    for (const stop of stops) await stop().catch(() => {});
    for (const dir of [base, ...clusters]) await rm(dir, { recursive: true, force: true });
  }
}

async function startDemoNode(base: string, id: string, name: string, jurisdiction: string, io: CliIo, clusters: string[], stops: Array<() => Promise<void>>): Promise<DemoNode> {
  const port = await freePort();
  const federationUrl = `http://127.0.0.1:${port}`;
  // A fresh random keys secret per node and run: the demo's data directories are thrown away.
  const secret = { value: randomBytes(32).toString('base64url'), source: 'the demo (random, this run only)' };
  const dataDir = await initDataDir(join(base, id), { nodeId: id, name, jurisdiction, publicUrl: federationUrl }, new Date(), secret);
  // Each node's cluster gets its own temporary directory, one the PostgreSQL user can reach also
  // when the demo runs as root (then PostgreSQL runs as `postgres`, and data directories are 0700).
  const clusterDir = await temporaryClusterDir(`bridge-demo-${id}-postgres-`);
  clusters.push(clusterDir);
  const server = await startEmbeddedPostgres(clusterDir, { password: dataDir.secrets.embeddedPostgresPassword });
  stops.push(() => server.stop());
  await ensureDatabase(server.url, EMBEDDED_DATABASE);
  const database: NodeDatabase = { url: server.url.replace(/\/postgres$/, `/${EMBEDDED_DATABASE}`), embedded: true, stop: () => server.stop() };
  // Everything runs on 127.0.0.1: a webhook receiver someone tries with the demo is local too.
  const env = parseServeEnv({ BRIDGE_WEBHOOK_ALLOW_LOCAL: 'true', BRIDGE_FEDERATION_PLAIN_HTTP: 'true' });
  const logger = createLogger(id, 'info', pino.destination({ dest: join(base, `${id}.log`), sync: false }));
  // The private listener's port is chosen before start: the console's origin (sessions, passkeys) names it.
  const node = await createNode(nodeConfigFromDataDir(dataDir, env, database.url, { federation: port, private: await freePort() }), { logger });
  const url = (await node.start()).private;
  const { token } = await createClient(node.ctx.db, node.ctx.config, { name: `${id} case system`, scopes: ['referrals:read', 'referrals:write'], ttlDays: 1 }, `operator:${id}`, new Date());
  io.out(`  ${id.padEnd(6)} ${name.padEnd(18)} federation ${federationUrl}  (peers reach only this one)`);
  io.out(`  ${''.padEnd(6)} ${''.padEnd(18)} private    ${url}  (integration and admin API, /docs; embedded PostgreSQL on port ${new URL(database.url).port})`);
  return { id, url, federationUrl, node, database, token, client: createBridgeClient({ baseUrl: url, token }) };
}

/** A case worker and an operator on a demo node, each with a one-time enrolment link into the console. */
async function demoPeople(n: DemoNode): Promise<{ console: string; links: { role: string; url: string }[] }> {
  const links = [];
  for (const role of ['case_worker', 'operator'] as const) {
    const { enrolment } = await createUser(n.node.ctx, { username: `${role.replace('_', '-')}-${n.id}`, roles: [role] }, `operator:${n.id}`);
    links.push({ role: role.replace('_', ' '), url: enrolment.url });
  }
  return { console: `${accountsConfig(n.node.ctx.config).consoleOrigin}/console/`, links };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting for delivery');
}

/** One line per status change, with the reason or outcome label in English and Albanian. */
function statusHistory(referral: Referral, lists: CodeLists): string[] {
  const labelled = [...lists.rejectionReasons, ...lists.outcomes];
  return referral.history.map((h) => {
    const code = h.reason ? labelled.find((e) => e.code === h.reason) : undefined;
    const reason = h.reason ? ` ${h.reason}${code ? ` (${code.labels.en} / ${code.labels.sq} / ${code.labels['sr-Cyrl']})` : ''}` : '';
    return `${h.at.slice(11, 23)}  ${h.status.padEnd(12)} by ${h.by.padEnd(6)}${reason}${h.note ? ` — ${h.note}` : ''}`;
  });
}

async function timeline(nodes: DemoNode[]): Promise<string[]> {
  const rows = [];
  for (const n of nodes) {
    for (const e of await n.node.ctx.db.select().from(auditEvents).orderBy(asc(auditEvents.idx))) rows.push({ node: n.id, ...e });
  }
  rows.sort((a, b) => a.at.getTime() - b.at.getTime() || a.idx - b.idx);
  return rows.map((e) => {
    const detail = e.detail ? Object.entries(e.detail).map(([k, v]) => `${k}=${v}`).join(' ') : '';
    const ids = [e.referralId && `referral ${e.referralId.slice(0, 13)}…`, e.messageId && `message ${e.messageId.slice(0, 13)}…`].filter(Boolean).join(' ');
    return `${e.at.toISOString().slice(11, 23)}  ${e.node.padEnd(6)} #${String(e.idx).padEnd(3)} ${e.type.padEnd(18)} ${e.actor.padEnd(16)} ${ids} ${detail}`.trimEnd();
  });
}
