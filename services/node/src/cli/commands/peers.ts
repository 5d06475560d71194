import { normalizeFingerprint } from '@bridge/crypto';
import { parseServeEnv, readKeysSecret } from '../../config.ts';
import { loadDataDir } from '../../data-dir.ts';
import { fetchPeer, listPeers, savePeer, setPeerStatus } from '../../peers/peers.ts';
import type { PeerStatus } from '../../db/schema/index.ts';
import { withNodeDatabase } from '../database.ts';
import { defineCommand, helpText, parseCommand, required, resolvePath, UsageError, type CliIo } from '../args.ts';

export const peersCommand = defineCommand({
  usage: ['bridge peers add <peer-url> --data-dir <dir> [--fingerprint <fp>]', 'bridge peers list --data-dir <dir>', 'bridge peers activate|suspend|revoke <node-id> --data-dir <dir>'],
  description: `add fetches the peer's metadata and keys and prints their fingerprints. The peer becomes active only
when --fingerprint matches, or when you confirm at the prompt after comparing the fingerprint with
the peer's operator out of band (phone, paper); otherwise it stays pending.`,
  options: {
    'data-dir': { type: 'string', value: '<dir>', description: 'the node\'s data directory' },
    fingerprint: { type: 'string', value: '<fp>', description: 'add: the fingerprint the peer\'s operator read out; activates the peer if it matches' },
  },
  positionals: 1,
});
export const peersUsage = helpText(peersCommand);

export async function peers(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommand(rest, peersCommand);
  if (values.help || sub === undefined) return sub === undefined ? usage() : (io.out(peersUsage), 0);
  const dataDir = await loadDataDir(resolvePath(io, required(values['data-dir'], '--data-dir', peersUsage)), readKeysSecret(io.env));
  const { DATABASE_URL } = parseServeEnv(io.env);
  const actor = `operator:${dataDir.config.nodeId}`;
  switch (sub) {
    case 'add': {
      const url = required(positionals[0], '<peer-url>', peersUsage);
      if (!/^https?:\/\//.test(url)) throw new UsageError(`<peer-url> must be an http(s) URL, got ${url}`, peersUsage);
      const fetched = await fetchPeer(url);
      io.out(`peer ${fetched.metadata.nodeId} (${fetched.metadata.name}, ${fetched.metadata.jurisdiction})`);
      for (const key of fetched.jwks.keys) io.out(`  ${key.purpose.padEnd(10)} ${key.kid}`);
      io.out(`fingerprint ${fetched.fingerprint}`);
      let status: PeerStatus = 'pending';
      if (values.fingerprint !== undefined) {
        if (normalizeFingerprint(values.fingerprint) !== normalizeFingerprint(fetched.fingerprint)) {
          io.err('the fingerprint does not match: the peer was NOT added');
          return 1;
        }
        status = 'active';
      } else if (io.prompt) {
        const answer = await io.prompt('Does this fingerprint match what the peer read out to you? Type "yes" to activate: ');
        if (answer.trim().toLowerCase() === 'yes') status = 'active';
      }
      await withNodeDatabase(dataDir, DATABASE_URL, (db) => savePeer(db, fetched, status, actor, new Date()));
      io.out(status === 'active' ? `peer ${fetched.metadata.nodeId} is active` : `peer ${fetched.metadata.nodeId} is pending; run \`bridge peers activate ${fetched.metadata.nodeId}\` once the fingerprints are compared`);
      return 0;
    }
    case 'list': {
      const rows = await withNodeDatabase(dataDir, DATABASE_URL, (db) => listPeers(db));
      if (rows.length === 0) io.out('no peers');
      for (const p of rows) io.out(`${p.nodeId.padEnd(20)} ${p.status.padEnd(10)} ${p.baseUrl}  ${p.fingerprint}`);
      return 0;
    }
    case 'activate':
    case 'suspend':
    case 'revoke': {
      const nodeId = required(positionals[0], '<node-id>', peersUsage);
      const status = ({ activate: 'active', suspend: 'suspended', revoke: 'revoked' } as const)[sub];
      await withNodeDatabase(dataDir, DATABASE_URL, (db) => setPeerStatus(db, nodeId, status, actor, new Date()));
      io.out(`peer ${nodeId} is ${status}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown peers command ${sub}`, peersUsage);
  }
  function usage(): number {
    throw new UsageError('missing peers command', peersUsage);
  }
}
