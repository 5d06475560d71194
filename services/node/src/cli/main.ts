import { ConfigError } from '../config.ts';
import { BridgeError } from '../errors.ts';
import { helpText, UsageError, type CliIo, type CommandSpec } from './args.ts';
import { audit, auditCommand } from './commands/audit.ts';
import { clients, clientsCommand } from './commands/clients.ts';
import { init, initCommand } from './commands/init.ts';
import { keys, keysCommand } from './commands/keys.ts';
import { outbox, outboxCommand } from './commands/outbox.ts';
import { peers, peersCommand } from './commands/peers.ts';
import { serve, serveCommand } from './commands/serve.ts';
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
  outbox    list messages to peers and their delivery state; resend a dead-lettered one
  audit     verify an audit log export offline
  demo      run two nodes on embedded PostgreSQL and exchange a referral (pnpm demo)

bridge <command> --help describes each command's options.`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { init, serve, peers, clients, users, keys, outbox, audit };

/** Each command's options and help: the same specs its parser uses. */
export const COMMAND_SPECS: Record<string, CommandSpec> = {
  init: initCommand,
  serve: serveCommand,
  peers: peersCommand,
  clients: clientsCommand,
  users: usersCommand,
  keys: keysCommand,
  outbox: outboxCommand,
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
  if (command === 'demo') {
    const { runDemo } = await import('../demo/run.ts');
    return runDemo(rest, io);
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command ${command}`, usage);
    return await run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`bridge: ${err.message}`);
      if (err.usage) io.err(err.usage);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof BridgeError) {
      io.err(`bridge: ${err.message}`);
      return 1;
    }
    // Unexpected errors are named, never quoted: their messages can carry data or key material.
    const e = err as { name?: string; code?: unknown; cause?: { code?: unknown } };
    const code = [e.cause?.code, e.code].find((c) => typeof c === 'string');
    io.err(`bridge: ${command} failed: ${code ?? e.name ?? 'unknown error'}`);
    return 1;
  }
}
