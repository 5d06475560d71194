import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { flattenedDecrypt } from 'jose';
import { isSealedKeyFile, KEY_FILE_P2C, openKeyFile, sealKeyFile } from './key-file.ts';
import { generateKey, generateStoredNodeKeys, importNodeKeys } from './keys.ts';
import { signCompactEdDsa, verifyCompactEdDsa } from './jws.ts';
import { splitCompact } from './compact.ts';

const secret = 'correct horse battery staple 42';

describe('keys.json at rest', () => {
  it('is a standard PBES2 JWE that jose opens with the secret, and that names no key material', async () => {
    const stored = await generateStoredNodeKeys(new Date());
    const plaintext = JSON.stringify({ keys: stored });
    const sealed = await sealKeyFile(plaintext, secret);
    expect(isSealedKeyFile(sealed)).toBe(true);
    expect(isSealedKeyFile({ keys: stored })).toBe(false);
    const text = JSON.stringify(sealed);
    for (const record of Object.values(stored).flat()) {
      expect(text).not.toContain(record.jwk.d);
      expect(text).not.toContain(Buffer.from(record.jwk.d, 'base64url').toString('hex'));
    }
    expect(JSON.parse(Buffer.from(sealed.protected!, 'base64url').toString())).toMatchObject({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: KEY_FILE_P2C });
    // Any JOSE library with the secret opens it: nothing here is Bridge's own format.
    const opened = await flattenedDecrypt(sealed, new TextEncoder().encode(secret), { keyManagementAlgorithms: ['PBES2-HS512+A256KW'], maxPBES2Count: KEY_FILE_P2C });
    expect(new TextDecoder().decode(opened.plaintext)).toBe(plaintext);
    expect(await openKeyFile(sealed, secret)).toBe(plaintext);
  });

  it('refuses a wrong secret and a changed file alike', async () => {
    const sealed = await sealKeyFile('{"keys":{}}', secret);
    await expect(openKeyFile(sealed, `${secret}!`)).rejects.toMatchObject({ code: 'decrypt_failed' });
    const changed = Buffer.from(sealed.ciphertext, 'base64url');
    changed[0] = changed[0]! ^ 1;
    await expect(openKeyFile({ ...sealed, ciphertext: changed.toString('base64url') }, secret)).rejects.toMatchObject({ code: 'decrypt_failed' });
    // A header asking for an absurd PBKDF2 count is refused before any work is done.
    const header = JSON.parse(Buffer.from(sealed.protected!, 'base64url').toString());
    const greedy = Buffer.from(JSON.stringify({ ...header, p2c: 1e9 })).toString('base64url');
    await expect(openKeyFile({ ...sealed, protected: greedy }, secret)).rejects.toMatchObject({ code: 'algorithm_forbidden' });
  });
});

describe('private keys in memory', () => {
  it('are non-extractable CryptoKeys that still sign, and carry no d', async () => {
    const keys = await importNodeKeys(await generateStoredNodeKeys(new Date()));
    for (const record of Object.values(keys).flat()) {
      expect(record.privateKey.extractable).toBe(false);
      expect(record.privateKey.type).toBe('private');
      expect('d' in record.jwk).toBe(false);
      await expect(webcrypto.subtle.exportKey('jwk', record.privateKey)).rejects.toThrow(/not extractable/);
      for (const format of ['pkcs8', 'raw'] as const) await expect(webcrypto.subtle.exportKey(format, record.privateKey)).rejects.toThrow();
      expect(JSON.stringify(record)).not.toMatch(/"d"/);
    }
    const signing = await generateKey('signing', new Date());
    const jws = signCompactEdDsa({ typ: 'x', kid: signing.kid }, 'payload', signing);
    expect(verifyCompactEdDsa(splitCompact(jws, 3), signing.jwk)).toBe(true);
  });
});
