import { parseServeEnv, defaultDelivery, readKeysSecret } from '../../config.ts';
import { loadDataDir } from '../../data-dir.ts';
import { listWebhookDeliveries, resendDelivery } from '../../webhooks/admin.ts';
import type { OutboxStatus } from '../../db/schema/index.ts';
import { systemClock } from '../../clock.ts';
import type { NodeConfig } from '../../config.ts';
import { withNodeDatabase } from '../database.ts';
import { defineCommand, helpText, parseCommand, required, resolvePath, UsageError, type CliIo } from '../args.ts';

export const webhooksCommand = defineCommand({
  usage: ['bridge webhooks deliveries --data-dir <dir> [--status <status>] [--limit <n>]', 'bridge webhooks resend <delivery-id> --data-dir <dir>'],
  description: `deliveries shows the deliveries of events to webhook subscriptions and their state (never the
target URL or the event body); retrying ones show the last error and the next attempt. resend puts a
dead delivery back in the queue with a fresh deadline, if its subscription still exists; a running
node sends it within its poll interval.`,
  options: {
    'data-dir': { type: 'string', value: '<dir>', description: 'the node\'s data directory' },
    status: { type: 'string', value: '<status>', description: 'deliveries: only queued | sending | retrying | delivered | dead' },
    limit: { type: 'string', value: '<n>', description: 'deliveries: at most this many, 1 to 200 (default 50)' },
  },
  positionals: 1,
});
export const webhooksUsage = helpText(webhooksCommand);

const STATUSES: OutboxStatus[] = ['queued', 'sending', 'retrying', 'delivered', 'dead'];

export async function webhooks(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommand(rest, webhooksCommand);
  if (values.help) return io.out(webhooksUsage), 0;
  if (sub !== 'deliveries' && sub !== 'resend') throw new UsageError(sub === undefined ? 'missing webhooks command' : `unknown webhooks command ${sub}`, webhooksUsage);
  const dataDir = await loadDataDir(resolvePath(io, required(values['data-dir'], '--data-dir', webhooksUsage)), readKeysSecret(io.env));
  const { DATABASE_URL } = parseServeEnv(io.env);
  if (sub === 'deliveries') {
    const status = values.status as OutboxStatus | undefined;
    if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`, webhooksUsage);
    const limit = Number(values.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit must be a whole number from 1 to 200', webhooksUsage);
    const { items } = await withNodeDatabase(dataDir, DATABASE_URL, (db) => listWebhookDeliveries(db, { ...(status ? { status } : {}), limit }));
    if (items.length === 0) io.out('no deliveries');
    for (const d of items) {
      const state = d.status === 'retrying' ? `retrying (${d.lastError ?? '?'}; next ${d.nextAttemptAt})` : d.status === 'dead' ? `dead (${d.lastError ?? '?'})` : d.status;
      io.out(`${d.id}  subscription ${d.subscriptionId}  ${d.eventType.padEnd(28)} attempts ${String(d.attempts).padEnd(3)} ${state}`);
    }
    return 0;
  }
  const id = required(positionals[0], '<delivery-id>', webhooksUsage);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError('<delivery-id> must be a delivery id as printed by `bridge webhooks deliveries`', webhooksUsage);
  const view = await withNodeDatabase(dataDir, DATABASE_URL, (db) => {
    // A one-off context: the running node's webhook dispatcher is woken by the database notification.
    const config = { nodeId: dataDir.config.nodeId, delivery: defaultDelivery } as NodeConfig;
    return resendDelivery({ config, db, clock: systemClock, wakeDispatcher: () => {} }, id, `operator:${dataDir.config.nodeId}`);
  });
  io.out(`delivery ${view.id} is ${view.status} again (deadline ${view.deadlineAt})`);
  return 0;
}
