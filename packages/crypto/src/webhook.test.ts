import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, openWebhookSecret, sealWebhookSecret, signWebhook, verifyWebhook } from './webhook.ts';

describe('webhook signatures', () => {
  it('match the Standard Webhooks reference vector', () => {
    const signature = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' });
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verify, and refuse another body, id, secret or a stale timestamp', () => {
    const secret = generateWebhookSecret();
    const now = new Date();
    const input = { id: 'evt-1', timestamp: Math.floor(now.getTime() / 1000), body: '{"type":"referral.created"}' };
    const signature = signWebhook(secret, input);
    expect(() => verifyWebhook(secret, { ...input, signature }, now)).not.toThrow();
    expect(() => verifyWebhook(secret, { ...input, signature: `v1,bm9wZQ== ${signature}` }, now)).not.toThrow();
    expect(() => verifyWebhook(secret, { ...input, body: '{"type":"referral.status_changed"}', signature }, now)).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
    expect(() => verifyWebhook(secret, { ...input, id: 'evt-2', signature }, now)).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
    expect(() => verifyWebhook(generateWebhookSecret(), { ...input, signature }, now)).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
    expect(() => verifyWebhook(secret, { ...input, signature }, new Date(now.getTime() + 600_000))).toThrow(expect.objectContaining({ code: 'stale' }));
  });
});

describe('sealed webhook secrets', () => {
  const key = randomBytes(32).toString('base64url');

  it('open only with the same key and subscription id', () => {
    const secret = generateWebhookSecret();
    const sealed = sealWebhookSecret(key, 'sub-1', secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(openWebhookSecret(key, 'sub-1', sealed)).toBe(secret);
    expect(() => openWebhookSecret(key, 'sub-2', sealed)).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
    expect(() => openWebhookSecret(randomBytes(32).toString('base64url'), 'sub-1', sealed)).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
  });
});
