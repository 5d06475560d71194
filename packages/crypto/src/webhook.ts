import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { CryptoError } from './errors.ts';

/**
 * Webhook signatures in the Standard Webhooks scheme (standardwebhooks.com): the secret is
 * `whsec_<base64 of 32 random bytes>`; each delivery carries `webhook-id`, `webhook-timestamp` (Unix
 * seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, so any
 * Standard Webhooks library verifies it, and a body cannot be replayed under another id or time.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function secretBytes(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new CryptoError('malformed', 'webhook secret must start with whsec_');
  const bytes = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  if (bytes.length < 24) throw new CryptoError('malformed', 'webhook secret is too short');
  return bytes;
}

export interface WebhookSignatureInput {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  /** The exact bytes of the request body. */
  body: string;
}

/** The value of the `webhook-signature` header. */
export function signWebhook(secret: string, input: WebhookSignatureInput): string {
  const mac = createHmac('sha256', secretBytes(secret)).update(`${input.id}.${input.timestamp}.${input.body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * Checks a `webhook-signature` header (space-separated `v1,<base64>` entries, any of which may match)
 * and that the timestamp is within `toleranceSeconds` of `now`. Throws CryptoError otherwise.
 */
export function verifyWebhook(secret: string, input: WebhookSignatureInput & { signature: string }, now: Date, toleranceSeconds = 300): void {
  if (Math.abs(now.getTime() / 1000 - input.timestamp) > toleranceSeconds) throw new CryptoError('stale', 'webhook timestamp outside the tolerance');
  const expected = Buffer.from(signWebhook(secret, input).slice(3), 'base64');
  const ok = input.signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new CryptoError('signature_invalid', 'webhook signature does not match');
}

/**
 * The node must keep webhook secrets to sign with (HMAC needs the secret itself, so a hash will not
 * do). They are stored sealed with AES-256-GCM under a key derived (HKDF-SHA256, own label) from a
 * secret kept outside the database, bound to the subscription id: a database dump or backup alone
 * does not reveal them, and a sealed secret cannot be moved to another subscription.
 */
function sealingKey(keyMaterial: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(keyMaterial, 'base64url'), Buffer.alloc(0), 'bridge webhook secret sealing v1', 32));
}

/** `v1.<iv>.<ciphertext>.<tag>`, each base64url. */
export function sealWebhookSecret(keyMaterial: string, subscriptionId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(keyMaterial), iv);
  cipher.setAAD(Buffer.from(subscriptionId));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function openWebhookSecret(keyMaterial: string, subscriptionId: string, sealed: string): string {
  const [version, iv, ciphertext, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !ciphertext || !tag) throw new CryptoError('malformed', 'sealed webhook secret is malformed');
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(keyMaterial), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(subscriptionId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new CryptoError('decrypt_failed', 'sealed webhook secret does not open');
  }
}
