import { helpText, UsageError, type CliIo, type CommandSpec } from './args.ts';
import { describeFailure, isUserFacing } from './failure.ts';
import { audit, auditCommand } from './commands/audit.ts';
import { clients, clientsCommand } from './commands/clients.ts';
import { init, initCommand } from './commands/init.ts';
import { keys, keysCommand } from './commands/keys.ts';
import { outbox, outboxCommand } from './commands/outbox.ts';
import { peers, peersCommand } from './commands/peers.ts';
import { serve, serveCommand } from './commands/serve.ts';
import { webhooks, webhooksCommand } from './commands/webhooks.ts';
import { users, usersCommand } from './commands/users.ts';
import { demoCommand } from '../demo/command.ts';

export const usage = `usage: bridge <command> [options]

commands:
  init      create a node's data directory, keys and configuration
  serve     run a node
  peers     add, list, activate, suspend or revoke peers
  clients   create, list or revoke API clients
  users     create, list, disable, enable or reset people's accounts for the console
  keys      rotate the node's keys
  outbox    list messages to peers and their delivery state; resend or discard a dead-lettered one
  webhooks  list webhook deliveries and their state; resend a dead one
  audit     verify an audit log export offline
  demo      run two nodes on embedded PostgreSQL and exchange a referral (pnpm demo)

bridge <command> --help describes each command's options.`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { init, serve, peers, clients, users, keys, outbox, webhooks, audit };

/** Each command's options and help: the same specs its parser uses. */
export const COMMAND_SPECS: Record<string, CommandSpec> = {
  init: initCommand,
  serve: serveCommand,
  peers: peersCommand,
  clients: clientsCommand,
  users: usersCommand,
  keys: keysCommand,
  outbox: outboxCommand,
  webhooks: webhooksCommand,
  audit: auditCommand,
  demo: demoCommand,
};

/** Runs one command; every expected failure becomes a message and an exit code, never a stack trace. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.err : io.out)(usage);
    return command === undefined ? 2 : 0;
  }
  // `bridge <command> [<subcommand>] --help`, whatever else is on the line.
  const spec = COMMAND_SPECS[command];
  if (spec && (rest.includes('--help') || rest.includes('-h'))) {
    io.out(helpText(spec));
    return 0;
  }
  const run = COMMANDS[command];
  try {
    if (command === 'demo') {
      const { runDemo } = await import('../demo/run.ts');
      return await runDemo(rest, io);
    }
    if (!run) throw new UsageError(`unknown command ${command}`, usage);
    return await run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`bridge: ${err.message}`);
      if (err.usage) io.err(err.usage);
      return 2;
    }
    io.err(isUserFacing(err) ? `bridge: ${err.message}` : `bridge: ${command} failed: ${describeFailure(err)}`);
    return 1;
  }
}
