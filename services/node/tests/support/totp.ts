import { createHmac } from 'node:crypto';

/**
 * TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s) written here from the RFC, independently of the node's
 * library, as a person's authenticator app would compute it.
 */
export function totpCode(base32Secret: string, at: number = Date.now()): { code: string; step: number } {
  const step = Math.floor(at / 30_000);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(base32Secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return { code: String(value).padStart(6, '0'), step };
}

/** A code from a later 30-second step than `after`, waiting for that step if need be (a code works once). */
export async function nextTotpCode(base32Secret: string, after: number): Promise<{ code: string; step: number }> {
  for (;;) {
    const current = totpCode(base32Secret);
    if (current.step > after) return current;
    await new Promise((resolve) => setTimeout(resolve, (current.step + 1) * 30_000 - Date.now() + 50));
  }
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error('not base32');
    bits += index.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}
