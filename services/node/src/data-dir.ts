import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  generatePseudonymSecret,
  generateTlsCredential,
  generateStoredNodeKeys,
  importNodeKeys,
  isCryptoError,
  isSealedKeyFile,
  openKeyFile,
  sealKeyFile,
  type NodeKeySet,
  type StoredKeySet,
  type TlsCredential,
} from '@bridge/crypto';
import { ConfigError, KEYS_SECRET_CREDENTIAL, nodeIdPattern, type KeysSecret } from './config.ts';

/** What `bridge init` writes to config.json: public, non-secret settings. */
export const DataDirConfig = z.strictObject({
  nodeId: z.string().regex(nodeIdPattern, 'a lowercase slug such as atina'),
  name: z.string().min(1).max(200),
  jurisdiction: z.string().min(1).max(64),
  publicUrl: z.url(),
});
export type DataDirConfig = z.infer<typeof DataDirConfig>;

const KeyRecord = z.strictObject({
  kid: z.string().min(1),
  purpose: z.enum(['signing', 'encryption', 'log', 'token']),
  jwk: z.strictObject({ kty: z.literal('OKP'), crv: z.enum(['Ed25519', 'X25519']), x: z.string().min(1), d: z.string().min(1) }),
  validFrom: z.iso.datetime({ offset: true }),
  validUntil: z.iso.datetime({ offset: true }).nullable(),
});

const TlsRecord = z.strictObject({
  certificate: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
  privateKey: z.string().startsWith('-----BEGIN PRIVATE KEY-----'),
  validFrom: z.iso.datetime({ offset: true }),
  validUntil: z.iso.datetime({ offset: true }).nullable(),
});

/**
 * What keys.json holds, inside its encryption (mode 0600): private keys and local secrets. Never
 * logged, never written unencrypted.
 */
const StoredSecrets = z.strictObject({
  keys: z.strictObject({ signing: z.array(KeyRecord).min(1), encryption: z.array(KeyRecord).min(1), log: z.array(KeyRecord).min(1), token: z.array(KeyRecord).min(1) }),
  pseudonymSecret: z.string().min(43),
  /** Password of the embedded PostgreSQL superuser, local to this data directory. */
  embeddedPostgresPassword: z.string().min(16),
  /**
   * The federation listener's TLS keys and self-signed certificates (PEM), newest last. Absent in
   * data directories made before TLS: such a node serves federation only with plain HTTP enabled.
   */
  tls: z.array(TlsRecord).min(1).optional(),
});
export interface StoredSecrets {
  keys: StoredKeySet;
  pseudonymSecret: string;
  embeddedPostgresPassword: string;
  tls?: TlsCredential[];
}

/** The secrets as a running node holds them: private keys only as non-extractable CryptoKeys. */
export interface DataDirSecrets {
  keys: NodeKeySet;
  pseudonymSecret: string;
  embeddedPostgresPassword: string;
  /** PEM, because OpenSSL serves TLS with it (a CryptoKey cannot be handed to it). */
  tls?: TlsCredential[];
}

export interface DataDir {
  dir: string;
  config: DataDirConfig;
  secrets: DataDirSecrets;
}

const configPath = (dir: string) => join(dir, 'config.json');
export const secretsFile = (dir: string) => join(dir, 'keys.json');
const secretsPath = secretsFile;
export const embeddedPostgresDir = (dir: string) => join(dir, 'postgres');

export async function initDataDir(dir: string, config: DataDirConfig, now: Date, secret: KeysSecret | undefined): Promise<DataDir> {
  const parsed = DataDirConfig.safeParse(config);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `--${flagName(String(i.path[0]))}: ${i.message}`).join('\n'));
  if (existsSync(configPath(dir))) throw new ConfigError(`${dir} already holds a node (config.json exists); refusing to overwrite its keys`);
  if (!secret) throw missingSecret('bridge init encrypts the new keys.json');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stored: StoredSecrets = {
    keys: await generateStoredNodeKeys(now),
    pseudonymSecret: generatePseudonymSecret(),
    embeddedPostgresPassword: randomBytes(24).toString('base64url'),
    tls: [await generateTlsCredential(parsed.data.nodeId, [new URL(parsed.data.publicUrl).hostname.replace(/^\[|\]$/g, '')], now)],
  };
  await writeStoredSecrets(dir, stored, secret);
  await writeFile(configPath(dir), JSON.stringify({ ...parsed.data, publicUrl: parsed.data.publicUrl.replace(/\/+$/, '') }, null, 2));
  return loadDataDir(dir, secret);
}

/** The data directory as a running node holds it: keys decrypted and imported as non-extractable. */
export async function loadDataDir(dir: string, secret: KeysSecret | undefined): Promise<DataDir> {
  return (await openDataDir(dir, secret)).dataDir;
}

/**
 * The data directory, and keys.json decrypted with its private JWKs beside it: only for the
 * commands that rewrite keys.json (`bridge keys rotate`), which drop `stored` when done.
 */
export async function openDataDir(dir: string, secret: KeysSecret | undefined): Promise<{ dataDir: DataDir; stored: StoredSecrets }> {
  const config = await readConfig(dir);
  const stored = await readStoredSecrets(dir, secret);
  const { keys, ...rest } = stored;
  return { dataDir: { dir, config, secrets: { ...rest, keys: await importNodeKeys(keys) } }, stored };
}

async function readConfig(dir: string): Promise<DataDirConfig> {
  if (!existsSync(configPath(dir))) throw new ConfigError(`${dir} is not a Bridge data directory (no config.json); run \`bridge init\` first`);
  const config = DataDirConfig.safeParse(readJson(await readFile(configPath(dir), 'utf8')));
  if (!config.success) throw new ConfigError(`${configPath(dir)} is invalid at ${config.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return config.data;
}

/**
 * keys.json decrypted, with the private JWKs. A missing or wrong secret, a damaged file and a file still in plain text each stop with one line
 * naming what is wrong — never a value from the file or the secret.
 */
async function readStoredSecrets(dir: string, secret: KeysSecret | undefined): Promise<StoredSecrets> {
  const path = secretsPath(dir);
  if (!existsSync(path)) throw new ConfigError(`${path} is missing`);
  const file = readJson(await readFile(path, 'utf8'));
  if (!isSealedKeyFile(file)) {
    if (file !== null && typeof file === 'object' && 'keys' in file) {
      throw new ConfigError(`${path} holds private keys unencrypted; encrypt it with \`bridge keys encrypt --data-dir ${dir}\` (with the keys secret set), then start again`);
    }
    throw new ConfigError(`${path} is neither an encrypted key file nor a plain one`);
  }
  if (!secret) throw missingSecret(`${path} is encrypted`);
  let plaintext: string;
  try {
    plaintext = await openKeyFile(file, secret.value);
  } catch (err) {
    if (isCryptoError(err) && err.code === 'decrypt_failed') {
      throw new ConfigError(`the keys secret from ${secret.source} does not decrypt ${path}: the secret is wrong, or the file was changed`);
    }
    if (isCryptoError(err)) throw new ConfigError(`${path} cannot be opened: ${err.message}`);
    throw err;
  }
  return parseStoredSecrets(plaintext, path);
}

function parseStoredSecrets(plaintext: string, path: string): StoredSecrets {
  // Only paths are reported for keys.json: never a value from it.
  const secrets = StoredSecrets.safeParse(readJson(plaintext));
  if (!secrets.success) throw new ConfigError(`${path} is invalid at ${secrets.error.issues.map((i) => i.path.join('.') || '(top)').join(', ')}`);
  return secrets.data as StoredSecrets;
}

/**
 * Replaces keys.json atomically with `stored` encrypted under `secret`: a new file (0600) beside
 * it, flushed to disk, renamed over the old one, the directory flushed too. A crash leaves the old
 * file or the new one, never half of either; no plain copy is ever written.
 */
export async function writeStoredSecrets(dir: string, stored: StoredSecrets, secret: KeysSecret): Promise<void> {
  const sealed = await sealKeyFile(JSON.stringify(stored), secret.value);
  await replaceFile(secretsPath(dir), `${JSON.stringify(sealed, null, 2)}\n`);
}

/**
 * `bridge keys encrypt`: converts the plain keys.json of earlier versions in place. Refuses a file
 * that is already encrypted (a second run would otherwise need the secret it was given the first
 * time and change nothing).
 */
export async function encryptPlainSecrets(dir: string, secret: KeysSecret): Promise<void> {
  await readConfig(dir);
  const path = secretsPath(dir);
  if (!existsSync(path)) throw new ConfigError(`${path} is missing`);
  const text = await readFile(path, 'utf8');
  if (isSealedKeyFile(readJson(text))) throw new ConfigError(`${path} is already encrypted; nothing to do`);
  await writeStoredSecrets(dir, parseStoredSecrets(text, path), secret);
}

async function replaceFile(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  const directory = await open(join(path, '..'), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

export const missingSecret = (why: string) =>
  new ConfigError(`${why}, and no keys secret was given: set BRIDGE_KEYS_SECRET_FILE, BRIDGE_KEYS_SECRET, or the systemd credential ${KEYS_SECRET_CREDENTIAL} (see bridge serve --help)`);

const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function readJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // reported by the schema check, without quoting the file
  }
}
