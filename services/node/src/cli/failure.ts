import { ConfigError } from '../config.ts';
import { EmbeddedPostgresError } from '../db/embedded.ts';
import { BridgeError } from '../errors.ts';
import { UsageError } from './args.ts';

/** Errors whose message is written for the user: it names the cause and what to do. */
export function isUserFacing(err: unknown): err is Error {
  return err instanceof UsageError || err instanceof ConfigError || err instanceof BridgeError || err instanceof EmbeddedPostgresError;
}

interface SystemLike {
  name?: string;
  code?: unknown;
  syscall?: string;
  address?: string;
  port?: number;
  path?: string;
  hostname?: string;
  cause?: SystemLike;
  errors?: SystemLike[];
}

/**
 * One line for a failure a user can cause or meet (port in use, database unreachable, a path it
 * may not use): the cause and what to do. Other errors are named by code, never quoted: their
 * messages can carry data or key material. Never a stack trace.
 */
export function describeFailure(err: unknown): string {
  if (isUserFacing(err)) return err.message;
  const e = (err ?? {}) as SystemLike;
  const inner = e.errors?.[0] ?? e.cause ?? {};
  const code = [e.code, inner.code].find((c): c is string => typeof c === 'string');
  const address = e.address ?? inner.address;
  const port = e.port ?? inner.port;
  const where = address !== undefined ? `${address}${port !== undefined ? `:${port}` : ''}` : 'the server';
  switch (code) {
    case 'EADDRINUSE':
      return `${where} is already in use: stop what listens there or choose another port`;
    case 'EACCES':
    case 'EPERM':
      if ((e.syscall ?? inner.syscall) === 'listen') return `not allowed to listen on ${where}: choose a port above 1023`;
      return `permission denied${e.path ? ` on ${e.path}` : ''}: run as a user who may use it, or choose another directory`;
    case 'ENOENT':
      return `${e.path ?? 'a file'} does not exist: check the path`;
    case 'ENOSPC':
      return 'no space left on the device: free some and retry';
    case 'ECONNREFUSED':
      return `the database at ${where} refused the connection: check DATABASE_URL and that PostgreSQL is running`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host ${e.hostname ?? inner.hostname ?? ''} could not be resolved: check DATABASE_URL`.replace('host  ', 'host ');
    case 'ETIMEDOUT':
      return `the connection to ${where} timed out: check DATABASE_URL and the network`;
    case '28P01':
    case '28000':
      return 'the database refused the credentials: check the user and password in DATABASE_URL';
    case '3D000':
      return 'the database named in DATABASE_URL does not exist: create it or fix the URL';
    default:
      return `unexpected ${code ?? e.name ?? 'error'}`;
  }
}
