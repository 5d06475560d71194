import { z } from 'zod';
import type { NodeKeySet } from '@bridge/crypto';
import type { Urgency } from '@bridge/contract';

export interface DeliveryConfig {
  /** Fallback poll when no wake-up arrives. */
  pollIntervalMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this long undelivered, a message is dead-lettered. */
  deadlineMs: number;
  requestTimeoutMs: number;
  /** Claiming workers per node process (messages of one referral still go one by one). */
  concurrency: number;
  /** Messages one worker claims per statement and delivers concurrently (default 16). */
  batchSize?: number;
}

/** Requests per minute before a 429 `rate_limited`. */
export interface RateLimits {
  /** Per authenticated client, on the integration and on the admin surface (each its own budget). */
  clientPerMinute: number;
  /** Per remote address on POST /federation/v1/messages (the sender is only known after decryption). */
  messagesPerMinute: number;
  /** Per authenticated peer (the verified `iss`) on POST /federation/v1/messages; default 1200. */
  peerMessagesPerMinute?: number;
}

/**
 * Server-side limits of the HTTP listener (Node's http.Server settings, through Fastify). A client
 * that opens a connection and sends nothing, or trickles a request, is cut off; an idle keep-alive
 * connection is closed well before a load balancer's idle timeout would reuse a dead one.
 */
export interface HttpLimits {
  /** Longest time to receive one whole request, headers and body (answered 408). */
  requestTimeoutMs: number;
  /** Longest time a socket may stay silent, before and between requests. */
  connectionTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open. */
  keepAliveTimeoutMs: number;
}

export const defaultHttpLimits: HttpLimits = {
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

/** Erasure jobs: retention of closed referrals, and how often expiry and retention are checked. */
export interface RetentionConfig {
  /** Personal data of a referral in a final status is purged this long after its last change. */
  closedReferralMs: number;
  sweepIntervalMs: number;
}

export const defaultRetention: RetentionConfig = { closedReferralMs: 365 * 86_400_000, sweepIntervalMs: 60_000 };

/** Everything a node needs, as a plain object: tests build it directly, `bin` builds it from env. */
export interface NodeConfig {
  nodeId: string;
  name: string;
  jurisdiction: string;
  /** Base URL peers and clients reach this node at, without trailing slash. */
  publicUrl: string;
  databaseUrl: string;
  keys: NodeKeySet;
  pseudonymSecret: string;
  host: string;
  port: number;
  acceptanceWindowSeconds: number;
  messageMaxBytes: number;
  /** Largest JSON body on the integration and admin API (413 `payload_too_large` above it). */
  bodyMaxBytes: number;
  /** Listener timeouts; defaults from `defaultHttpLimits`. */
  http?: Partial<HttpLimits>;
  delivery: DeliveryConfig;
  limits: RateLimits;
  logLevel: string;
  /** Defaults to `defaultRetention`. */
  retention?: RetentionConfig;
  /** How long the receiver has to accept or reject, per urgency (ms); unset ones take the defaults. */
  responseDeadlines?: Partial<Record<Urgency, number>>;
  /** Audit log sequencing and cross-witnessing; defaults in `defaultAudit`. */
  audit?: AuditConfig;
  /** People's accounts and sessions (DESIGN.md §9); defaults from `accountsConfig`. */
  accounts?: Partial<AccountsConfig>;
  /** Fault injection, for the fault tests only: never set in a deployment. */
  faults?: { crashAfterCommitProbability?: number };
}

/** People's accounts: the console's origin, WebAuthn relying party, session timeouts and throttling. */
export interface AccountsConfig {
  /**
   * Origin the console is served from (scheme, host, port). State-changing requests with another
   * `Origin` are refused, and it is the WebAuthn origin. For a console on loopback use
   * `http://localhost:<port>`: browsers treat localhost as a secure context (so `Secure` and
   * `__Host-` cookies and WebAuthn work over http) but an IP address cannot be a WebAuthn RP ID.
   */
  consoleOrigin: string;
  /** Path of the console under the origin; enrolment links are `<origin><path>/enrol#<token>`. */
  consolePath: string;
  /** WebAuthn relying party id: the console origin's host name unless set. */
  rpId: string;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** How long a sign-in or step-up allows sensitive operations. */
  stepUpMs: number;
  /** Sessions per person; signing in once more ends the oldest. */
  maxSessions: number;
  enrolmentTtlMs: number;
  /** argon2id cost (OWASP minimum: 19456 KiB, 2 passes, 1 lane); stored hashes below it are rehashed at sign-in. */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** Failures per account before each further one makes it wait, and before it is locked until an operator unlocks it. */
  accountDelayAfter: number;
  accountLockAfter: number;
  /** Failures from one address (over any accounts) before it must wait. */
  addressDelayAfter: number;
  /** Longest wait imposed after a failure. */
  maxDelayMs: number;
}

/** The accounts configuration with every default filled in. */
export function accountsConfig(config: Pick<NodeConfig, 'port' | 'accounts'>): AccountsConfig {
  const consoleOrigin = config.accounts?.consoleOrigin ?? `http://localhost:${config.port}`;
  return {
    consoleOrigin,
    consolePath: '/console',
    rpId: new URL(consoleOrigin).hostname,
    sessionIdleMs: 15 * 60_000,
    sessionAbsoluteMs: 8 * 3600_000,
    stepUpMs: 5 * 60_000,
    maxSessions: 3,
    enrolmentTtlMs: 3600_000,
    argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
    accountDelayAfter: 5,
    accountLockAfter: 50,
    addressDelayAfter: 100,
    maxDelayMs: 3600_000,
    ...config.accounts,
  };
}

export const defaultDelivery: DeliveryConfig = {
  pollIntervalMs: 1000,
  baseDelayMs: 500,
  maxDelayMs: 5 * 60_000,
  deadlineMs: 7 * 24 * 3600_000,
  requestTimeoutMs: 10_000,
  concurrency: 8,
};

export interface AuditConfig {
  /** How often the Merkle tree is checkpointed; committed events are sequenced into it ten times as often (at most every 100 ms). */
  sequenceIntervalMs: number;
  /** How often this node witnesses its active peers' checkpoints (0: only on demand). */
  witnessIntervalMs: number;
}

export const defaultAudit: AuditConfig = { sequenceIntervalMs: 5_000, witnessIntervalMs: 10 * 60_000 };

export const defaultResponseDeadlines: Readonly<Record<Urgency, number>> = {
  EMERGENCY: 4 * 3600_000,
  URGENT: 48 * 3600_000,
  ROUTINE: 10 * 24 * 3600_000,
};

/** The response deadline of each urgency: the configured one, or the default. */
export function responseDeadlines(config: Pick<NodeConfig, 'responseDeadlines'>): Record<Urgency, number> {
  return { ...defaultResponseDeadlines, ...config.responseDeadlines };
}

export const defaultLimits: Required<RateLimits> = {
  clientPerMinute: 600,
  messagesPerMinute: 3000,
  peerMessagesPerMinute: 1200,
};

export const nodeIdPattern = /^[a-z][a-z0-9-]{1,62}$/;

/** One environment variable: how it is validated, the form it must take, and what it does. */
interface EnvVar<S extends z.ZodType> {
  schema: S;
  expected: string;
  description: string;
}
const envVar = <S extends z.ZodType>(schema: S, expected: string, description: string): EnvVar<S> => ({ schema, expected, description });
const deadlineHours = (urgency: Urgency) =>
  envVar(
    z.coerce.number().positive().max(24 * 365).default(defaultResponseDeadlines[urgency] / 3600_000),
    'a positive number of hours, at most 8760',
    `hours the receiver has to accept or reject a ${urgency} referral before it is flagged overdue`,
  );
const wholeNumber = (min: number, max: number, fallback: number, description: string) =>
  envVar(z.coerce.number().int().min(min).max(max).default(fallback), `a whole number from ${min} to ${max}`, description);

/**
 * The environment `bridge serve` (and the commands that open the node's database) read: the one
 * definition used to validate it, to name a wrong variable with the form it must take, and to
 * document it in `bridge serve --help`.
 */
export const SERVE_ENV = {
  DATABASE_URL: envVar(
    z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL').optional(),
    'a postgres:// or postgresql:// connection URL',
    'PostgreSQL of this node; without it the node runs on an embedded PostgreSQL kept in <dir>/postgres',
  ),
  BRIDGE_HOST: envVar(z.string().min(1).default('127.0.0.1'), 'a host name or IP address', 'address to listen on'),
  BRIDGE_LOG_LEVEL: envVar(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'one of fatal, error, warn, info, debug, trace, silent',
    'least severe level written to the log',
  ),
  BRIDGE_ACCEPTANCE_WINDOW_SECONDS: wholeNumber(10, 3600, 300, 'allowed clock difference for messages, in seconds'),
  // The contract caps a compact JWE at 256 KiB; a node may only be stricter.
  BRIDGE_MESSAGE_MAX_BYTES: wholeNumber(4096, 256 * 1024, 256 * 1024, 'largest accepted federation message, in bytes'),
  BRIDGE_DELIVERY_TIMEOUT_MS: wholeNumber(100, 120_000, 10_000, 'how long one delivery to a peer may take, in ms'),
  BRIDGE_DELIVERY_POLL_MS: wholeNumber(50, 60_000, 1_000, 'outbox poll interval when no notification arrives, in ms'),
  BRIDGE_DELIVERY_RETRY_MAX_MS: wholeNumber(100, 24 * 3600_000, 5 * 60_000, 'longest wait between delivery attempts, in ms'),
  BRIDGE_RATE_LIMIT_CLIENT_PER_MINUTE: wholeNumber(1, 1_000_000, defaultLimits.clientPerMinute, 'requests per minute per API client, on the integration and admin API each'),
  BRIDGE_RATE_LIMIT_MESSAGES_PER_MINUTE: wholeNumber(1, 1_000_000, defaultLimits.messagesPerMinute, 'federation messages per minute per remote address'),
  BRIDGE_RATE_LIMIT_PEER_MESSAGES_PER_MINUTE: wholeNumber(1, 1_000_000, defaultLimits.peerMessagesPerMinute, 'federation messages per minute per authenticated peer'),
  BRIDGE_BODY_MAX_BYTES: wholeNumber(16 * 1024, 16 * 1024 * 1024, 1024 * 1024, 'largest JSON body on the integration and admin API, in bytes'),
  BRIDGE_HTTP_REQUEST_TIMEOUT_MS: wholeNumber(1_000, 600_000, defaultHttpLimits.requestTimeoutMs, 'longest time to receive one whole request, in ms'),
  BRIDGE_HTTP_CONNECTION_TIMEOUT_MS: wholeNumber(1_000, 600_000, defaultHttpLimits.connectionTimeoutMs, 'longest silence on a connection, in ms'),
  BRIDGE_HTTP_KEEP_ALIVE_TIMEOUT_MS: wholeNumber(1_000, 600_000, defaultHttpLimits.keepAliveTimeoutMs, 'how long an idle keep-alive connection stays open, in ms'),
  BRIDGE_RETENTION_DAYS: wholeNumber(1, 36_500, 365, 'personal data of closed referrals is purged this many days after their last change'),
  BRIDGE_ERASURE_SWEEP_SECONDS: wholeNumber(1, 86_400, 60, 'how often consent expiry and retention are checked, in seconds'),
  BRIDGE_RESPONSE_DEADLINE_EMERGENCY_HOURS: deadlineHours('EMERGENCY'),
  BRIDGE_RESPONSE_DEADLINE_URGENT_HOURS: deadlineHours('URGENT'),
  BRIDGE_RESPONSE_DEADLINE_ROUTINE_HOURS: deadlineHours('ROUTINE'),
  BRIDGE_AUDIT_SEQUENCE_MS: wholeNumber(100, 3600_000, defaultAudit.sequenceIntervalMs, 'how often the audit log is checkpointed (events are sequenced ten times as often), in ms'),
  BRIDGE_AUDIT_WITNESS_MS: wholeNumber(0, 7 * 24 * 3600_000, defaultAudit.witnessIntervalMs, 'how often peers\' audit checkpoints are co-signed, in ms; 0 for on demand only'),
  BRIDGE_CONSOLE_ORIGIN: envVar(
    z.string().regex(/^https?:\/\/[^/]+$/, 'must be an origin such as https://bridge.atina.example').optional(),
    'an origin, scheme://host[:port], no path',
    'where people open the console (default http://localhost:<port>); state-changing requests from other origins are refused',
  ),
  BRIDGE_WEBAUTHN_RP_ID: envVar(z.string().regex(/^[a-z0-9.-]+$/).optional(), 'a host name', 'WebAuthn relying party id (default: the console origin\'s host name)'),
  BRIDGE_SESSION_IDLE_MINUTES: wholeNumber(1, 24 * 60, 15, 'a person\'s session ends after this many minutes without use'),
  BRIDGE_SESSION_ABSOLUTE_HOURS: wholeNumber(1, 24, 8, 'a person\'s session ends this many hours after sign-in'),
  BRIDGE_FAULT_CRASH_AFTER_COMMIT: envVar(
    z.coerce.number().min(0).max(1).optional(),
    'a probability from 0 to 1',
    'fault tests only: probability that the process dies right after committing a received message',
  ),
} as const;

type ServeEnvShape = { [K in keyof typeof SERVE_ENV]: (typeof SERVE_ENV)[K]['schema'] };
export const ServeEnv = z.object(Object.fromEntries(Object.entries(SERVE_ENV).map(([name, v]) => [name, v.schema])) as ServeEnvShape);
export type ServeEnv = z.infer<typeof ServeEnv>;

/** Validates the environment; each wrong variable is named with the form it must take, never its value. */
export function parseServeEnv(env: Record<string, string | undefined>): ServeEnv {
  const result = ServeEnv.safeParse(env);
  if (!result.success) {
    const names = [...new Set(result.error.issues.map((i) => String(i.path[0])))];
    const lines = names.map((name) => `${name} must be ${SERVE_ENV[name as keyof typeof SERVE_ENV]?.expected ?? 'valid'}`);
    throw new ConfigError(`invalid environment:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}

/** The environment section of `bridge serve --help`, from SERVE_ENV. */
export function serveEnvHelp(): string {
  const rows = Object.entries(SERVE_ENV).map(([name, v]) => {
    const fallback = v.schema.safeParse(undefined);
    const suffix = fallback.success && fallback.data !== undefined ? ` (default ${String(fallback.data)})` : '';
    return `  ${name}\n      ${v.description}${suffix}; ${v.expected}`;
  });
  return ['environment:', ...rows].join('\n');
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
