import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { generateNodeKeys, generatePseudonymSecret, type NodeKeySet } from '@bridge/crypto';
import { ConfigError, nodeIdPattern } from './config.ts';

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

/** What keys.json holds (mode 0600): private keys and local secrets. Never logged. */
const DataDirSecrets = z.strictObject({
  keys: z.strictObject({ signing: z.array(KeyRecord).min(1), encryption: z.array(KeyRecord).min(1), log: z.array(KeyRecord).min(1), token: z.array(KeyRecord).min(1) }),
  pseudonymSecret: z.string().min(43),
  /** Password of the embedded PostgreSQL superuser, local to this data directory. */
  embeddedPostgresPassword: z.string().min(16),
});
export interface DataDirSecrets {
  keys: NodeKeySet;
  pseudonymSecret: string;
  embeddedPostgresPassword: string;
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

export async function initDataDir(dir: string, config: DataDirConfig, now: Date): Promise<DataDir> {
  const parsed = DataDirConfig.safeParse(config);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `--${flagName(String(i.path[0]))}: ${i.message}`).join('\n'));
  if (existsSync(configPath(dir))) throw new ConfigError(`${dir} already holds a node (config.json exists); refusing to overwrite its keys`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const secrets: DataDirSecrets = {
    keys: await generateNodeKeys(now),
    pseudonymSecret: generatePseudonymSecret(),
    embeddedPostgresPassword: randomBytes(24).toString('base64url'),
  };
  await writeFile(secretsPath(dir), JSON.stringify(secrets, null, 2), { mode: 0o600 });
  await chmod(secretsPath(dir), 0o600);
  await writeFile(configPath(dir), JSON.stringify({ ...parsed.data, publicUrl: parsed.data.publicUrl.replace(/\/+$/, '') }, null, 2));
  return loadDataDir(dir);
}

export async function loadDataDir(dir: string): Promise<DataDir> {
  if (!existsSync(configPath(dir))) throw new ConfigError(`${dir} is not a Bridge data directory (no config.json); run \`bridge init\` first`);
  const config = DataDirConfig.safeParse(readJson(await readFile(configPath(dir), 'utf8')));
  if (!config.success) throw new ConfigError(`${configPath(dir)} is invalid at ${config.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  if (!existsSync(secretsPath(dir))) throw new ConfigError(`${secretsPath(dir)} is missing`);
  // Only paths are reported for keys.json: never a value from it.
  const secrets = DataDirSecrets.safeParse(readJson(await readFile(secretsPath(dir), 'utf8')));
  if (!secrets.success) throw new ConfigError(`${secretsPath(dir)} is invalid at ${secrets.error.issues.map((i) => i.path.join('.') || '(top)').join(', ')}`);
  return { dir, config: config.data, secrets: secrets.data as DataDirSecrets };
}

export async function saveSecrets(dataDir: DataDir): Promise<void> {
  await writeFile(secretsPath(dataDir.dir), JSON.stringify(dataDir.secrets, null, 2), { mode: 0o600 });
}

const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function readJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // reported by the schema check, without quoting the file
  }
}
