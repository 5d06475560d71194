import { parseServeEnv, defaultDelivery, readKeysSecret } from '../../config.ts';
import { loadDataDir } from '../../data-dir.ts';
import { OutboxDiscardReason } from '@bridge/contract';
import { discardMessage, listOutbox, resendMessage } from '../../outbox/admin.ts';
import type { OutboxStatus } from '../../db/schema/index.ts';
import { systemClock } from '../../clock.ts';
import type { NodeConfig } from '../../config.ts';
import { withNodeDatabase } from '../database.ts';
import { defineCommand, helpText, parseCommand, required, resolvePath, UsageError, type CliIo } from '../args.ts';

export const outboxCommand = defineCommand({
  usage: [
    'bridge outbox list --data-dir <dir> [--status <status>] [--peer <node-id>] [--limit <n>]',
    'bridge outbox resend <message-id> --data-dir <dir>',
    'bridge outbox discard <message-id> --reason <code> --data-dir <dir>',
  ],
  description: `list shows messages to peers and their delivery state (never their content); retrying ones show
the last error and the next attempt. resend puts a dead-lettered message back in the queue with a
fresh deadline; a running node sends it within its poll interval. discard gives up a dead-lettered
message for good (a peer refused it, or the peer is gone) so the later messages of its referral,
renumbered to close the gap, are sent; for one that died of timeouts, resend it instead.`,
  options: {
    'data-dir': { type: 'string', value: '<dir>', description: 'the node\'s data directory' },
    status: { type: 'string', value: '<status>', description: 'list: only queued | sending | retrying | delivered | dead | discarded' },
    reason: { type: 'string', value: '<code>', description: `discard: why, one of ${OutboxDiscardReason.options.join(' | ')}` },
    peer: { type: 'string', value: '<node-id>', description: 'list: only messages to this peer' },
    limit: { type: 'string', value: '<n>', description: 'list: at most this many messages, 1 to 200 (default 50)' },
  },
  positionals: 1,
});
export const outboxUsage = helpText(outboxCommand);

const STATUSES: OutboxStatus[] = ['queued', 'sending', 'retrying', 'delivered', 'dead', 'discarded'];

export async function outbox(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommand(rest, outboxCommand);
  if (values.help) return io.out(outboxUsage), 0;
  if (sub !== 'list' && sub !== 'resend' && sub !== 'discard') throw new UsageError(sub === undefined ? 'missing outbox command' : `unknown outbox command ${sub}`, outboxUsage);
  const dataDir = await loadDataDir(resolvePath(io, required(values['data-dir'], '--data-dir', outboxUsage)), readKeysSecret(io.env));
  const { DATABASE_URL } = parseServeEnv(io.env);
  if (sub === 'list') {
    const status = values.status as OutboxStatus | undefined;
    if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`, outboxUsage);
    const limit = Number(values.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit must be a whole number from 1 to 200', outboxUsage);
    const { items } = await withNodeDatabase(dataDir, DATABASE_URL, (db) => listOutbox(db, { status, peer: values.peer, limit }));
    if (items.length === 0) io.out('no messages');
    for (const m of items) {
      const state = m.status === 'retrying' ? `retrying (${m.lastError ?? '?'}; next ${m.nextAttemptAt})` : m.status === 'dead' ? `dead (${m.lastError ?? '?'})` : m.status;
      io.out(`${m.id}  ${m.peer.padEnd(14)} ${m.type.padEnd(22)} seq ${String(m.seq).padEnd(3)} attempts ${String(m.attempts).padEnd(3)} ${state}`);
    }
    return 0;
  }
  const id = required(positionals[0], '<message-id>', outboxUsage);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError(`<message-id> must be a message id as printed by \`bridge outbox list\``, outboxUsage);
  if (sub === 'discard') {
    const reason = OutboxDiscardReason.safeParse(required(values.reason, '--reason', outboxUsage));
    if (!reason.success) throw new UsageError(`--reason must be one of ${OutboxDiscardReason.options.join(', ')}`, outboxUsage);
    const discarded = await withNodeDatabase(dataDir, DATABASE_URL, (db) =>
      discardMessage({ db, clock: systemClock, wakeDispatcher: () => {} }, id, reason.data, `operator:${dataDir.config.nodeId}`),
    );
    io.out(`message ${discarded.id} is discarded; the later messages of its referral are due`);
    return 0;
  }
  const view = await withNodeDatabase(dataDir, DATABASE_URL, (db) => {
    // A one-off context: the running node's dispatcher is woken by the database notification.
    const config = { nodeId: dataDir.config.nodeId, delivery: defaultDelivery } as NodeConfig;
    return resendMessage({ config, db, clock: systemClock, wakeDispatcher: () => {} }, id, `operator:${dataDir.config.nodeId}`);
  });
  io.out(`message ${view.id} is ${view.status} again (deadline ${view.deadlineAt})`);
  return 0;
}
