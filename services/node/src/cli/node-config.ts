import { defaultDelivery, oidcFromEnv, type Listener, type NodeConfig, type ServeEnv } from '../config.ts';
import type { DataDir } from '../data-dir.ts';

/** A data directory plus the validated environment make a node config; `ports` (flags) win over the environment's. */
export function nodeConfigFromDataDir(dataDir: DataDir, env: ServeEnv, databaseUrl: string, ports: Partial<Record<Listener, number>> = {}): NodeConfig {
  const oidc = oidcFromEnv(env);
  return {
    nodeId: dataDir.config.nodeId,
    name: dataDir.config.name,
    jurisdiction: dataDir.config.jurisdiction,
    publicUrl: dataDir.config.publicUrl,
    databaseUrl,
    keys: dataDir.secrets.keys,
    pseudonymSecret: dataDir.secrets.pseudonymSecret,
    listeners: {
      federation: { host: env.BRIDGE_FEDERATION_HOST, port: ports.federation ?? env.BRIDGE_FEDERATION_PORT },
      private: { host: env.BRIDGE_PRIVATE_HOST, port: ports.private ?? env.BRIDGE_PRIVATE_PORT },
    },
    ...(dataDir.secrets.tls ? { tls: dataDir.secrets.tls } : {}),
    federationPlainHttp: env.BRIDGE_FEDERATION_PLAIN_HTTP,
    acceptanceWindowSeconds: env.BRIDGE_ACCEPTANCE_WINDOW_SECONDS,
    messageMaxBytes: env.BRIDGE_MESSAGE_MAX_BYTES,
    bodyMaxBytes: env.BRIDGE_BODY_MAX_BYTES,
    http: { requestTimeoutMs: env.BRIDGE_HTTP_REQUEST_TIMEOUT_MS, connectionTimeoutMs: env.BRIDGE_HTTP_CONNECTION_TIMEOUT_MS, keepAliveTimeoutMs: env.BRIDGE_HTTP_KEEP_ALIVE_TIMEOUT_MS },
    delivery: { ...defaultDelivery, requestTimeoutMs: env.BRIDGE_DELIVERY_TIMEOUT_MS, pollIntervalMs: env.BRIDGE_DELIVERY_POLL_MS, maxDelayMs: env.BRIDGE_DELIVERY_RETRY_MAX_MS },
    limits: { clientPerMinute: env.BRIDGE_RATE_LIMIT_CLIENT_PER_MINUTE, messagesPerMinute: env.BRIDGE_RATE_LIMIT_MESSAGES_PER_MINUTE, peerMessagesPerMinute: env.BRIDGE_RATE_LIMIT_PEER_MESSAGES_PER_MINUTE },
    audit: { sequenceIntervalMs: env.BRIDGE_AUDIT_SEQUENCE_MS, witnessIntervalMs: env.BRIDGE_AUDIT_WITNESS_MS },
    logLevel: env.BRIDGE_LOG_LEVEL,
    webhooks: { allowLocal: env.BRIDGE_WEBHOOK_ALLOW_LOCAL },
    accounts: {
      ...(env.BRIDGE_CONSOLE_ORIGIN === undefined ? {} : { consoleOrigin: env.BRIDGE_CONSOLE_ORIGIN, rpId: new URL(env.BRIDGE_CONSOLE_ORIGIN).hostname }),
      ...(env.BRIDGE_WEBAUTHN_RP_ID === undefined ? {} : { rpId: env.BRIDGE_WEBAUTHN_RP_ID }),
      sessionIdleMs: env.BRIDGE_SESSION_IDLE_MINUTES * 60_000,
      sessionAbsoluteMs: env.BRIDGE_SESSION_ABSOLUTE_HOURS * 3600_000,
    },
    ...(oidc ? { oidc } : {}),
    retention: { closedReferralMs: env.BRIDGE_RETENTION_DAYS * 86_400_000, sweepIntervalMs: env.BRIDGE_ERASURE_SWEEP_SECONDS * 1000 },
    responseDeadlines: {
      EMERGENCY: env.BRIDGE_RESPONSE_DEADLINE_EMERGENCY_HOURS * 3600_000,
      URGENT: env.BRIDGE_RESPONSE_DEADLINE_URGENT_HOURS * 3600_000,
      ROUTINE: env.BRIDGE_RESPONSE_DEADLINE_ROUTINE_HOURS * 3600_000,
    },
    ...(env.BRIDGE_FAULT_CRASH_AFTER_COMMIT === undefined ? {} : { faults: { crashAfterCommitProbability: env.BRIDGE_FAULT_CRASH_AFTER_COMMIT } }),
  };
}
