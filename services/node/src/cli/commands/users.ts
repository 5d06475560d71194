import { OidcIdentity, UserRole } from '@bridge/contract';
import { parseServeEnv, readKeysSecret } from '../../config.ts';
import { systemClock } from '../../clock.ts';
import type { NodeContext } from '../../context.ts';
import { loadDataDir } from '../../data-dir.ts';
import { createUser, findUserByName, listUsers, resetUser, revokeUserSessions, setUserStatus } from '../../people/users.ts';
import { linkUserOidc } from '../../people/oidc.ts';
import { withNodeDatabase } from '../database.ts';
import { defineCommand, helpText, parseCommand, required, resolvePath, UsageError, type CliIo } from '../args.ts';

export const usersCommand = defineCommand({
  usage: [
    'bridge users create --data-dir <dir> --username <name> --roles <list> [--console-origin <origin>]',
    'bridge users list --data-dir <dir>',
    'bridge users disable|enable|revoke-sessions <username> --data-dir <dir>',
    'bridge users reset <username> --data-dir <dir> [--console-origin <origin>]',
    'bridge users link-oidc <username> --data-dir <dir> --subject <sub> [--issuer <url>]',
  ],
  description:
    'People\'s accounts for the console. create and reset print a one-time enrolment link (valid 1 hour) for the person to set up a passkey, or a password with TOTP; no password is ever given on the command line.',
  options: {
    'data-dir': { type: 'string', value: '<dir>', description: 'the node\'s data directory' },
    username: { type: 'string', value: '<name>', description: 'create: the sign-in name (lower case letters, digits, . _ -)' },
    roles: { type: 'string', value: '<list>', description: `create: comma-separated, from ${UserRole.options.join(', ')}` },
    subject: { type: 'string', value: '<sub>', description: 'link-oidc: the person\'s subject (`sub`) at the OpenID provider' },
    issuer: { type: 'string', value: '<url>', description: 'link-oidc: the provider\'s issuer, exactly (default: BRIDGE_OIDC_ISSUER)' },
    'console-origin': { type: 'string', value: '<origin>', description: 'where people open the console, e.g. http://localhost:4100 (default: BRIDGE_CONSOLE_ORIGIN)' },
  },
  positionals: 1,
});
export const usersUsage = helpText(usersCommand);

export async function users(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommand(rest, usersCommand);
  if (sub === undefined) throw new UsageError('missing users command', usersUsage);
  if (values.help) return io.out(usersUsage), 0;
  const dataDir = await loadDataDir(resolvePath(io, required(values['data-dir'], '--data-dir', usersUsage)), readKeysSecret(io.env));
  const env = parseServeEnv(io.env);
  const actor = `operator:${dataDir.config.nodeId}`;
  const origin = () => {
    const value = values['console-origin'] ?? env.BRIDGE_CONSOLE_ORIGIN;
    if (!value || !/^https?:\/\/[^/]+$/.test(value)) throw new UsageError('give --console-origin (e.g. http://localhost:4100) or set BRIDGE_CONSOLE_ORIGIN', usersUsage);
    return value;
  };
  const run = <T>(fn: (ctx: NodeContext) => Promise<T>, consoleOrigin?: string) =>
    withNodeDatabase(dataDir, env.DATABASE_URL, (db) =>
      fn({
        db,
        clock: systemClock,
        config: { nodeId: dataDir.config.nodeId, name: dataDir.config.name, listeners: { federation: { host: env.BRIDGE_FEDERATION_HOST, port: env.BRIDGE_FEDERATION_PORT }, private: { host: env.BRIDGE_PRIVATE_HOST, port: env.BRIDGE_PRIVATE_PORT } }, pseudonymSecret: dataDir.secrets.pseudonymSecret, accounts: consoleOrigin ? { consoleOrigin } : {} },
      } as unknown as NodeContext),
    );
  const userId = async (ctx: NodeContext) => {
    const name = required(positionals[0], '<username>', usersUsage);
    const user = await findUserByName(ctx.db, name);
    if (!user) throw new UsageError(`no user ${name}`, usersUsage);
    return user.id;
  };
  switch (sub) {
    case 'create': {
      const username = required(values.username, '--username', usersUsage);
      const roles = [...new Set(required(values.roles, '--roles', usersUsage).split(',').map((r) => r.trim()).filter(Boolean))];
      const parsed = roles.map((r) => UserRole.safeParse(r));
      if (roles.length === 0 || parsed.some((p) => !p.success)) throw new UsageError(`roles must be from ${UserRole.options.join(', ')}`, usersUsage);
      if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(username)) throw new UsageError('--username must be 2 to 64 lower case letters, digits, . _ -', usersUsage);
      const consoleOrigin = origin();
      const created = await run((ctx) => createUser(ctx, { username, roles: parsed.map((p) => p.data!) }, actor), consoleOrigin);
      io.err(`user ${created.user.id} (${username}) with ${roles.join(', ')}; give them this enrolment link, valid until ${created.enrolment.expiresAt} and usable once:`);
      io.out(created.enrolment.url);
      return 0;
    }
    case 'list': {
      const rows = await run((ctx) => listUsers(ctx));
      if (rows.length === 0) io.out('no users');
      for (const u of rows) io.out(`${u.id}  ${u.username.padEnd(24)} ${u.roles.join(',').padEnd(24)} ${u.status}${u.locked ? ' locked' : ''}`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const user = await run(async (ctx) => setUserStatus(ctx, await userId(ctx), sub === 'enable', actor));
      io.out(`user ${user.username} ${user.status}`);
      return 0;
    }
    case 'reset': {
      const consoleOrigin = origin();
      const link = await run(async (ctx) => resetUser(ctx, await userId(ctx), actor), consoleOrigin);
      io.err(`factors and sessions removed; the new enrolment link follows, valid until ${link.expiresAt} and usable once:`);
      io.out(link.url);
      return 0;
    }
    case 'revoke-sessions': {
      await run(async (ctx) => revokeUserSessions(ctx, await userId(ctx), actor));
      io.out('every session of the user has ended');
      return 0;
    }
    case 'link-oidc': {
      const subject = required(values.subject, '--subject', usersUsage);
      const identity = OidcIdentity.safeParse({ issuer: values.issuer ?? env.BRIDGE_OIDC_ISSUER, subject });
      if (!identity.success) throw new UsageError('give --issuer (the provider\'s issuer URL, or set BRIDGE_OIDC_ISSUER) and a --subject of 1 to 255 characters', usersUsage);
      await run(async (ctx) => linkUserOidc(ctx, await userId(ctx), identity.data, actor));
      io.out(`the user now signs in as ${identity.data.subject} at ${identity.data.issuer}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown users command ${sub}`, usersUsage);
  }
}
