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

/** One option of a command: what parses it and what documents it, in one place. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder shown in the help for a string option, e.g. `<dir>`. */
  value?: string;
  description: string;
}

/**
 * A command's options and help. `parseCommand` accepts exactly `options` (plus --help), and
 * `helpText` documents exactly them, so the help cannot drift from what the command accepts.
 */
export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** Synopsis lines, without the leading "usage:". */
  usage: string[];
  description: string;
  options: O;
  /** How many positional arguments (after the subcommand) the command takes. */
  positionals?: number;
  /** Further text after the options (environment, formats). */
  footer?: string;
}

export const defineCommand = <const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandSpec<O> => spec;

export function helpText(spec: CommandSpec): string {
  const synopsis = spec.usage.length === 1 ? [`usage: ${spec.usage[0]}`] : ['usage:', ...spec.usage.map((u) => `  ${u}`)];
  const flags: Array<[string, string]> = Object.entries(spec.options).map(([name, o]) => [`--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`, o.description]);
  flags.push(['-h, --help', 'show this help']);
  const width = Math.max(...flags.map(([f]) => f.length)) + 2;
  const options = flags.map(([flag, description]) => `  ${flag.padEnd(width)}${description.split('\n').join(`\n  ${' '.repeat(width)}`)}`);
  return [...synopsis, '', spec.description, '', 'options:', ...options, ...(spec.footer ? ['', spec.footer] : [])].join('\n');
}

/** Parses a command's arguments against its spec; a mistake is a UsageError carrying the help. */
export function parseCommand<O extends Record<string, OptionSpec>>(argv: string[], spec: CommandSpec<O>) {
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, { type: o.type }])) as { [K in keyof O]: { type: O[K]['type'] } };
  return parse(argv, options, helpText(spec), spec.positionals ?? 0);
}

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

export function parsePort(value: string, flag: string, usage: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} must be a number from 0 to 65535, got ${value}`, usage);
  return port;
}
