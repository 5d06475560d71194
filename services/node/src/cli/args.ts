import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isAbsolute, resolve } from 'node:path';

/** A mistake in how the command was called: printed with the usage, exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Asks the operator a question; undefined when there is nobody to ask (no TTY). */
  prompt?(question: string): Promise<string>;
  env: Record<string, string | undefined>;
  /** Directory relative paths are resolved against (the caller's, not pnpm's). */
  cwd: string;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T, usage: string, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!, usage);
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument ${parsed.positionals[positionals]}`, usage);
  return parsed as unknown as { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string } & { help?: boolean }; positionals: string[] };
}

export function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`missing ${flag}`, usage);
  return value;
}

export function resolvePath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

export function parsePort(value: string, usage: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got ${value}`, usage);
  return port;
}
