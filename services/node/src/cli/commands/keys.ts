import { currentKey, rotateStoredKey, type KeyPurpose } from '@bridge/crypto';
import { keysSecretHelp, parseServeEnv, readKeysSecret } from '../../config.ts';
import { encryptPlainSecrets, missingSecret, openDataDir, writeStoredSecrets } from '../../data-dir.ts';
import { appendAudit } from '../../audit/append.ts';
import { withNodeDatabase } from '../database.ts';
import { defineCommand, helpText, parseCommand, required, resolvePath, UsageError, type CliIo } from '../args.ts';

export const keysCommand = defineCommand({
  usage: [
    'bridge keys rotate --data-dir <dir> [--purpose <purpose>] [--activate-in <duration>] [--overlap <duration>]',
    'bridge keys encrypt --data-dir <dir>',
  ],
  description: `rotate publishes a new key ahead of use and schedules the retirement of the current one. Peers learn
the new key from this node's JWKS (they re-fetch it from the URL pinned at onboarding); retired keys
stay published so old receipts and checkpoints still verify, but are refused for new messages.
encrypt converts a keys.json written unencrypted by an earlier version, in place, with the keys
secret; it refuses a file that is already encrypted.`,
  options: {
    'data-dir': { type: 'string', value: '<dir>', description: 'the node\'s data directory' },
    purpose: { type: 'string', value: '<purpose>', description: 'signing | encryption | log | token | all (default all)' },
    'activate-in': { type: 'string', value: '<duration>', description: 'how long the new key is published before it is used (default 24h)' },
    overlap: { type: 'string', value: '<duration>', description: 'how long the old key stays acceptable after that (default 7d)' },
  },
  footer: `Durations: a number followed by s, m, h or d. A running node picks the new keys up within seconds.\n\n${keysSecretHelp}`,
});
export const keysUsage = helpText(keysCommand);

const PURPOSES: KeyPurpose[] = ['signing', 'encryption', 'log', 'token'];

export async function keys(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseCommand(rest, keysCommand);
  if (values.help) return io.out(keysUsage), 0;
  if (sub !== 'rotate' && sub !== 'encrypt') throw new UsageError(sub === undefined ? 'missing keys command' : `unknown keys command ${sub}`, keysUsage);
  const dir = resolvePath(io, required(values['data-dir'], '--data-dir', keysUsage));
  const secret = readKeysSecret(io.env);
  if (sub === 'encrypt') {
    if (!secret) throw missingSecret('bridge keys encrypt encrypts keys.json with the keys secret');
    await encryptPlainSecrets(dir, secret);
    io.out(`${dir}/keys.json is encrypted; keep the secret where the node reads it at start, and a copy offline`);
    return 0;
  }
  if (!secret) throw missingSecret('bridge keys rotate rewrites the encrypted keys.json');
  const { dataDir, stored } = await openDataDir(dir, secret);
  const purposes = values.purpose === undefined || values.purpose === 'all' ? PURPOSES : [values.purpose as KeyPurpose];
  if (!purposes.every((p) => PURPOSES.includes(p))) throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')} or all`, keysUsage);
  const options = { activateAfterMs: parseDuration(values['activate-in'] ?? '24h', '--activate-in'), overlapMs: parseDuration(values.overlap ?? '7d', '--overlap') };
  const now = new Date();
  const rotated: string[] = [];
  for (const purpose of purposes) {
    const previous = currentKey(stored.keys[purpose], now);
    stored.keys[purpose] = await rotateStoredKey(stored.keys[purpose], purpose, now, options);
    const next = stored.keys[purpose].at(-1)!;
    rotated.push(`${purpose}: ${previous.kid} retires ${stored.keys[purpose].find((k) => k.kid === previous.kid)!.validUntil}; ${next.kid} from ${next.validFrom}`);
  }
  const { DATABASE_URL } = parseServeEnv(io.env);
  await withNodeDatabase(dataDir, DATABASE_URL, async (db) => {
    await db.transaction(async (tx) => {
      for (const purpose of purposes) {
        const next = stored.keys[purpose].at(-1)!;
        await appendAudit(tx, { type: 'key.rotated', actor: `operator:${dataDir.config.nodeId}`, at: now, detail: { purpose, kid: next.kid, validFrom: next.validFrom } });
      }
      // Written before the audit events commit: a failed write leaves neither.
      await writeStoredSecrets(dir, stored, secret);
    });
  });
  for (const line of rotated) io.out(line);
  return 0;
}

function parseDuration(value: string, flag: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (!match) throw new UsageError(`${flag} must be a number followed by s, m, h or d, got ${value}`, keysUsage);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
