import { z } from 'zod';
import type { NodeKeySet } from '@bridge/crypto';

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
}

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
  bodyMaxBytes: number;
  delivery: DeliveryConfig;
  limits: RateLimits;
  logLevel: string;
  /** Fault injection, for the fault tests only: never set in a deployment. */
  faults?: { crashAfterCommitProbability?: number };
}

export const defaultDelivery: DeliveryConfig = {
  pollIntervalMs: 1000,
  baseDelayMs: 500,
  maxDelayMs: 5 * 60_000,
  deadlineMs: 7 * 24 * 3600_000,
  requestTimeoutMs: 10_000,
  concurrency: 8,
};

export const defaultLimits: RateLimits = {
  clientPerMinute: 600,
  messagesPerMinute: 3000,
};

export const nodeIdPattern = /^[a-z][a-z0-9-]{1,62}$/;

/** The environment `bridge serve` reads; each variable is named in the error when it is wrong. */
export const ServeEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  BRIDGE_HOST: z.string().min(1).default('127.0.0.1'),
  BRIDGE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BRIDGE_ACCEPTANCE_WINDOW_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  // The contract caps a compact JWE at 256 KiB; a node may only be stricter.
  BRIDGE_MESSAGE_MAX_BYTES: z.coerce.number().int().min(4096).max(256 * 1024).default(256 * 1024),
  BRIDGE_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  BRIDGE_DELIVERY_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  BRIDGE_DELIVERY_RETRY_MAX_MS: z.coerce.number().int().min(100).max(24 * 3600_000).default(5 * 60_000),
  BRIDGE_RATE_LIMIT_CLIENT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(defaultLimits.clientPerMinute),
  BRIDGE_RATE_LIMIT_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(defaultLimits.messagesPerMinute),
  /** Fault tests only: the probability that the process kills itself right after committing a received message. */
  BRIDGE_FAULT_CRASH_AFTER_COMMIT: z.coerce.number().min(0).max(1).optional(),
});
export type ServeEnv = z.infer<typeof ServeEnv>;

export function parseServeEnv(env: Record<string, string | undefined>): ServeEnv {
  const result = ServeEnv.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
