import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { helpText, parseCommand, UsageError, type CliIo } from '../src/cli/args.ts';
import { COMMAND_SPECS, main } from '../src/cli/main.ts';
import { KEYS_SECRET_ENV, SERVE_ENV } from '../src/config.ts';
import { runBridge } from './support/cli.ts';

const src = fileURLToPath(new URL('../src', import.meta.url));

async function help(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = { out: (l) => (out += `${l}\n`), err: (l) => (out += `${l}\n`), env: {}, cwd: process.cwd() };
  return { code: await main(argv, io), out };
}

/** Every `--flag` the text mentions. */
const flagsIn = (text: string) => new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')).map((e) => join(e.parentPath, e.name));
}

describe('bridge <command> --help', () => {
  const commands = Object.entries(COMMAND_SPECS);

  it('covers every command the top-level usage lists', async () => {
    const top = (await help(['--help'])).out;
    const listed = [...top.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(COMMAND_SPECS).sort());
  });

  for (const [name, spec] of commands) {
    it(`${name}: documents exactly the options its parser accepts`, async () => {
      const { code, out } = await help([name, '--help']);
      expect(code).toBe(0);
      expect(out.trimEnd()).toBe(helpText(spec));
      const documented = flagsIn(out);
      const accepted = new Set([...Object.keys(spec.options), 'help']);
      // every accepted option is documented, with its description
      for (const option of Object.keys(spec.options)) {
        expect(documented, `--${option}`).toContain(option);
        expect(out).toContain(spec.options[option]!.description);
      }
      // every documented option is accepted
      for (const flag of documented) expect(accepted, `--${flag} is documented but not accepted`).toContain(flag);
      // and the parser really takes each one, and nothing else
      for (const [option, o] of Object.entries(spec.options)) {
        const argv = o.type === 'string' ? [`--${option}`, 'x'] : [`--${option}`];
        expect(() => parseCommand(argv, spec), `--${option}`).not.toThrow();
      }
      expect(() => parseCommand(['--no-such-option'], spec)).toThrow(UsageError);
    });
  }

  it('answers --help after a subcommand too', async () => {
    for (const argv of [['clients', 'create', '--help'], ['peers', '--help'], ['outbox', 'resend', '-h'], ['keys', 'rotate', '--help']]) {
      const { code, out } = await help(argv);
      expect(code, argv.join(' ')).toBe(0);
      expect(out.trimEnd()).toBe(helpText(COMMAND_SPECS[argv[0]!]!));
    }
  });

  it('serve documents every environment variable it reads, and reads every one it documents', async () => {
    const { out } = await help(['serve', '--help']);
    const documented = new Set(out.match(/\b(DATABASE_URL|BRIDGE_[A-Z_]+)\b/g));
    expect([...documented].sort()).toEqual([...Object.keys(SERVE_ENV), ...KEYS_SECRET_ENV].sort());
    for (const v of Object.values(SERVE_ENV)) expect(out).toContain(v.description);
    // no other BRIDGE_* variable is read anywhere in the node
    const used = new Set<string>();
    for (const file of await sourceFiles(src)) for (const m of (await readFile(file, 'utf8')).matchAll(/\bBRIDGE_[A-Z_]+\b/g)) used.add(m[0]);
    for (const name of used) expect([...Object.keys(SERVE_ENV), ...KEYS_SECRET_ENV], `${name} is used but not in SERVE_ENV`).toContain(name);
  });
});

describe('environment validated at start, through the real process', () => {
  it('names each wrong variable with the form it expects, never its value, and exits 1 without a stack trace', async () => {
    const run = await runBridge(['serve', '--data-dir', '/nonexistent', '--federation-port', '4000'], {
      DATABASE_URL: 'mysql://root:Qxsecretpw@db/bridge',
      BRIDGE_LOG_LEVEL: 'loud',
      BRIDGE_HTTP_KEEP_ALIVE_TIMEOUT_MS: 'soon',
      BRIDGE_RATE_LIMIT_PEER_MESSAGES_PER_MINUTE: '0',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL must be a postgres:// or postgresql:// connection URL');
    expect(run.stderr).toContain('BRIDGE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
    expect(run.stderr).toContain('BRIDGE_HTTP_KEEP_ALIVE_TIMEOUT_MS must be a whole number from 1000 to 600000');
    expect(run.stderr).toContain('BRIDGE_RATE_LIMIT_PEER_MESSAGES_PER_MINUTE must be a whole number from 1 to 1000000');
    expect(run.stderr + run.stdout).not.toMatch(/Qxsecretpw|loud|soon/);
    expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('prints the same help from the real process', async () => {
    const run = await runBridge(['serve', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd()).toBe(helpText(COMMAND_SPECS.serve!));
  });
});
