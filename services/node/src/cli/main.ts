import { ConfigError } from '../config.ts';
import { BridgeError } from '../errors.ts';
import { UsageError, type CliIo } from './args.ts';
import { audit } from './commands/audit.ts';
import { clients } from './commands/clients.ts';
import { init } from './commands/init.ts';
import { keys } from './commands/keys.ts';
import { outbox } from './commands/outbox.ts';
import { peers } from './commands/peers.ts';
import { serve } from './commands/serve.ts';

export const usage = `usage: bridge <command> [options]

commands:
  init      create a node's data directory, keys and configuration
  serve     run a node
  peers     add, list, activate, suspend or revoke peers
  clients   create, list or revoke API clients
  keys      rotate the node's keys
  outbox    list messages to peers and their delivery state; resend a dead-lettered one
  audit     verify an audit log export offline
  demo      run two nodes on embedded PostgreSQL and exchange a referral (pnpm demo)

bridge <command> --help describes each command's options.`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { init, serve, peers, clients, keys, outbox, audit };

/** Runs one command; every expected failure becomes a message and an exit code, never a stack trace. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.err : io.out)(usage);
    return command === undefined ? 2 : 0;
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
