import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { NodeKeySet, TlsCredential } from '@bridge/crypto';
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

/**
 * The node's two HTTP listeners. `federation` is the only one peers and the internet reach
 * (`/federation/v1/*`, `/.well-known/*`, `/healthz`); `private` serves the organisation's own systems
 * and operators (`/v1/*`, `/admin/v1/*`, `/console/*`, `/docs`, `/openapi.json`, `/metrics`, `/readyz`).
 */
export const LISTENERS = ['federation', 'private'] as const;
export type Listener = (typeof LISTENERS)[number];

export interface ListenAddress {
  host: string;
  /** 0 for any free port (tests). */
  port: number;
}

/** Default ports of `bridge serve`; both listeners bind 127.0.0.1 unless told otherwise. */
export const defaultPorts: Readonly<Record<Listener, number>> = { federation: 4100, private: 4200 };

/** Everything a node needs, as a plain object: tests build it directly, `bin` builds it from env. */
export interface NodeConfig {
  nodeId: string;
  name: string;
  jurisdiction: string;
  /**
   * Base URL peers reach this node's federation listener at, without trailing slash: the metadata,
   * the JWKS URL and the fingerprint name it. The node's own systems use the private listener.
   */
  publicUrl: string;
  databaseUrl: string;
  keys: NodeKeySet;
  pseudonymSecret: string;
  /** Where each HTTP listener binds; no route answers on both. */
  listeners: Record<Listener, ListenAddress>;
  /**
   * TLS keys and self-signed certificates of the federation listener (from keys.json), newest
   * last: it serves the newest valid one, requires a peer's client certificate, and offers it to
   * peers as a client. Every listed certificate is published (rotation overlap).
   */
  tls?: TlsCredential[];
  /**
   * Serve (and accept) federation over plain HTTP, without TLS: only when set explicitly, for the
   * demo and tests on loopback. Without it, a node without `tls` does not start.
   */
  federationPlainHttp?: boolean;
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
  /** Which webhook targets are allowed; by default only https to public addresses. */
  webhooks?: WebhookConfig;
  /** People's accounts and sessions (DESIGN.md §9); defaults from `accountsConfig`. */
  accounts?: Partial<AccountsConfig>;
  /** Sign-in with the organisation's OpenID provider; none unless configured. */
  oidc?: OidcConfig;
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

/** The organisation's OpenID provider (authorization code flow with PKCE; a confidential client). */
export interface OidcConfig {
  /** Compared exactly with the discovery document's and the ID token's `iss`. */
  issuer: string;
  clientId: string;
  /** Read from a file (BRIDGE_OIDC_CLIENT_SECRET_FILE), never from an argument. */
  clientSecret: string;
  /** Shown on the console's sign-in button. */
  label: string;
  /** The console's callback page; default `<console origin><console path>/oidc`. */
  redirectUri?: string;
}

/** The accounts configuration with every default filled in. */
export function accountsConfig(config: Pick<NodeConfig, 'listeners' | 'accounts'>): AccountsConfig {
  // The console is served on the private listener.
  const consoleOrigin = config.accounts?.consoleOrigin ?? `http://localhost:${config.listeners.private.port}`;
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

export interface WebhookConfig {
  /**
   * Allows plain http and targets on loopback, link-local, private and unique-local addresses: for
   * the demo and tests, whose receivers listen on 127.0.0.1. Off, a subscription can only point at
   * https on public addresses, checked at creation and again at every connection.
   */
  allowLocal: boolean;
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
  BRIDGE_FEDERATION_HOST: envVar(z.string().min(1).default('127.0.0.1'), 'a host name or IP address', 'address the federation listener binds: the only one peers reach (/federation/v1, /.well-known, /healthz)'),
  BRIDGE_FEDERATION_PLAIN_HTTP: envVar(
    z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    'true or false',
    'serve federation over plain HTTP without TLS or client certificates (local demo and tests only)',
  ),
  BRIDGE_FEDERATION_PORT: wholeNumber(0, 65535, defaultPorts.federation, 'port of the federation listener (the --federation-port flag wins)'),
  BRIDGE_PRIVATE_HOST: envVar(z.string().min(1).default('127.0.0.1'), 'a host name or IP address', 'address the private listener binds: integration and admin API, /docs, /openapi.json, /metrics, /readyz; keep it off the internet'),
  BRIDGE_PRIVATE_PORT: wholeNumber(0, 65535, defaultPorts.private, 'port of the private listener (the --private-port flag wins)'),
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
  BRIDGE_WEBHOOK_ALLOW_LOCAL: envVar(
    z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    'true or false',
    'allow webhooks to plain http and to loopback, link-local, private and unique-local addresses (local receivers only: demo and tests)',
  ),
  BRIDGE_CONSOLE_ORIGIN: envVar(
    z.string().regex(/^https?:\/\/[^/]+$/, 'must be an origin such as https://bridge.atina.example').optional(),
    'an origin, scheme://host[:port], no path',
    'where people open the console (default http://localhost:<port>); state-changing requests from other origins are refused',
  ),
  BRIDGE_WEBAUTHN_RP_ID: envVar(z.string().regex(/^[a-z0-9.-]+$/).optional(), 'a host name', 'WebAuthn relying party id (default: the console origin\'s host name)'),
  BRIDGE_SESSION_IDLE_MINUTES: wholeNumber(1, 24 * 60, 15, 'a person\'s session ends after this many minutes without use'),
  BRIDGE_SESSION_ABSOLUTE_HOURS: wholeNumber(1, 24, 8, 'a person\'s session ends this many hours after sign-in'),
  BRIDGE_OIDC_ISSUER: envVar(
    z.string().regex(/^https:\/\/[^\s]+$|^http:\/\/(localhost|127\.0\.0\.1)(:[0-9]+)?(\/[^\s]*)?$/, 'must be an https URL').optional(),
    'the issuer URL, exactly as the provider states it',
    'offer sign-in with this OpenID provider (also set BRIDGE_OIDC_CLIENT_ID and BRIDGE_OIDC_CLIENT_SECRET_FILE)',
  ),
  BRIDGE_OIDC_CLIENT_ID: envVar(z.string().min(1).optional(), 'a client id', 'this node\'s client id at the OpenID provider'),
  BRIDGE_OIDC_CLIENT_SECRET_FILE: envVar(z.string().min(1).optional(), 'a file path', 'file holding this node\'s client secret at the OpenID provider'),
  BRIDGE_OIDC_LABEL: envVar(z.string().min(1).max(100).default('your organisation'), 'text', 'name of the identity provider on the console\'s sign-in button'),
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

/** The two listeners must not collide: the second one would fail to bind, or answer for the first. */
export function checkListeners(listeners: Record<Listener, ListenAddress>): void {
  const { federation, private: priv } = listeners;
  const wildcard = (host: string) => host === '0.0.0.0' || host === '::';
  if (federation.port !== 0 && federation.port === priv.port && (federation.host === priv.host || wildcard(federation.host) || wildcard(priv.host))) {
    throw new ConfigError(`the federation and the private listener cannot both use ${federation.host}:${federation.port}`);
  }
}

/** The federation listener needs TLS unless plain HTTP was asked for explicitly. */
export function checkFederationTransport(config: Pick<NodeConfig, 'tls' | 'federationPlainHttp' | 'publicUrl'>): void {
  if (config.federationPlainHttp) return;
  if (!config.tls?.length) {
    throw new ConfigError('the federation listener needs a TLS certificate, and keys.json has none (it was made before TLS; adding one to an existing data directory is not supported yet): set BRIDGE_FEDERATION_PLAIN_HTTP=true for a local demo');
  }
  // Peers would send to the http URL the metadata names and never reach the TLS listener.
  if (!config.publicUrl.startsWith('https://')) {
    throw new ConfigError(`the federation listener speaks TLS, but the public URL ${config.publicUrl} is not https: initialise the node with an https:// public URL, or set BRIDGE_FEDERATION_PLAIN_HTTP=true for a local demo`);
  }
}

/** The secret keys.json is encrypted with, and where it came from (named in errors; never the value). */
export interface KeysSecret {
  value: string;
  source: string;
}

export const KEYS_SECRET_MIN_LENGTH = 16;
/** Read by `readKeysSecret` only, apart from SERVE_ENV: the secret never enters the parsed settings. */
export const KEYS_SECRET_ENV = ['BRIDGE_KEYS_SECRET_FILE', 'BRIDGE_KEYS_SECRET'] as const;
export const KEYS_SECRET_CREDENTIAL = 'bridge-keys-secret';

/** The three ways to give the secret, for `--help` and for the message when none is given. */
export const keysSecretHelp = `keys secret: what encrypts keys.json, read from one of these (never from an argument):
  BRIDGE_KEYS_SECRET_FILE
      a file holding the secret (one trailing newline is ignored)
  BRIDGE_KEYS_SECRET
      the secret itself (it sits in the process environment; prefer a file)
  \$CREDENTIALS_DIRECTORY/${KEYS_SECRET_CREDENTIAL}
      a systemd credential (LoadCredentialEncrypted=${KEYS_SECRET_CREDENTIAL}:…), when neither variable is set
  At least ${KEYS_SECRET_MIN_LENGTH} characters. A wrong or missing secret stops the command.`;

/**
 * Reads the keys secret from the environment: BRIDGE_KEYS_SECRET_FILE, BRIDGE_KEYS_SECRET, or the
 * systemd credential `bridge-keys-secret` when neither is set. Undefined when none is given; a
 * ConfigError naming the source (never the value) when one is given but unusable. Never a flag:
 * arguments are visible to every user of the host in the process list.
 */
export function readKeysSecret(env: Record<string, string | undefined>): KeysSecret | undefined {
  const { BRIDGE_KEYS_SECRET: inline, BRIDGE_KEYS_SECRET_FILE: file, CREDENTIALS_DIRECTORY: credentials } = env;
  if (inline !== undefined && file !== undefined) throw new ConfigError('set only one of BRIDGE_KEYS_SECRET and BRIDGE_KEYS_SECRET_FILE');
  let secret: KeysSecret | undefined;
  if (file !== undefined) secret = { value: readSecretFile(file, 'BRIDGE_KEYS_SECRET_FILE'), source: `BRIDGE_KEYS_SECRET_FILE (${file})` };
  else if (inline !== undefined) secret = { value: inline, source: 'BRIDGE_KEYS_SECRET' };
  else if (credentials) {
    const path = join(credentials, KEYS_SECRET_CREDENTIAL);
    try {
      secret = { value: readFileSync(path, 'utf8'), source: `the systemd credential ${KEYS_SECRET_CREDENTIAL}` };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`the systemd credential ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (secret) secret.value = stripLineEnd(secret.value);
  }
  if (secret && secret.value.length < KEYS_SECRET_MIN_LENGTH) throw new ConfigError(`the keys secret from ${secret.source} must be at least ${KEYS_SECRET_MIN_LENGTH} characters`);
  return secret;
}

function readSecretFile(path: string, variable: string): string {
  try {
    return stripLineEnd(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${variable} names ${path}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The OpenID provider of the environment: all of issuer, client id and secret file, or none. */
export function oidcFromEnv(env: Pick<ServeEnv, 'BRIDGE_OIDC_ISSUER' | 'BRIDGE_OIDC_CLIENT_ID' | 'BRIDGE_OIDC_CLIENT_SECRET_FILE' | 'BRIDGE_OIDC_LABEL'>): OidcConfig | undefined {
  const { BRIDGE_OIDC_ISSUER: issuer, BRIDGE_OIDC_CLIENT_ID: clientId, BRIDGE_OIDC_CLIENT_SECRET_FILE: secretFile } = env;
  if (issuer === undefined && clientId === undefined && secretFile === undefined) return undefined;
  if (issuer === undefined || clientId === undefined || secretFile === undefined) throw new ConfigError('set all of BRIDGE_OIDC_ISSUER, BRIDGE_OIDC_CLIENT_ID and BRIDGE_OIDC_CLIENT_SECRET_FILE, or none');
  return { issuer, clientId, clientSecret: readSecretFile(secretFile, 'BRIDGE_OIDC_CLIENT_SECRET_FILE'), label: env.BRIDGE_OIDC_LABEL };
}

/** `echo secret > file` adds a newline the operator did not mean as part of the secret. */
const stripLineEnd = (text: string) => text.replace(/\r?\n$/, '');

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
