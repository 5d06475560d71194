export * from './peers.ts';
export * from './api-clients.ts';
export * from './referrals.ts';
export * from './referral-status-history.ts';
export * from './outbox-messages.ts';
export * from './inbound-messages.ts';
export * from './audit-events.ts';
export * from './idempotency-keys.ts';
