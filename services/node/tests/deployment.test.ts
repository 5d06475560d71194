import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KEYS_SECRET_CREDENTIAL } from '../src/config.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  ports?: string[];
  volumes?: string[];
  network_mode?: string;
}

describe('deployment files', () => {
  // No Docker engine runs where the suite runs, so the compose file is checked as a document.
  it('describes two nodes, each on its own PostgreSQL server', () => {
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
    const { services } = compose;
    for (const [node, db] of [
      ['atina', 'atina-db'],
      ['pvpt', 'pvpt-db'],
    ] as const) {
      expect(services[db]?.image).toMatch(/^postgres:/);
      expect(services[node]?.build).toBeDefined();
      expect(services[node]?.environment?.BRIDGE_NODE_ID).toBe(node);
      expect(new URL(services[node]!.environment!.DATABASE_URL!).hostname).toBe(db);
      expect(Object.keys(services[node]?.depends_on ?? {})).toEqual([db]);
    }
  });

  it('publishes only the federation listener; the private one stays on the container loopback', () => {
    const { services } = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
    const dockerfile = read('Dockerfile');
    const env = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(dockerfile)?.[1];
    expect(env('BRIDGE_FEDERATION_HOST')).toBe('0.0.0.0');
    expect(env('BRIDGE_PRIVATE_HOST')).toBe('127.0.0.1');
    const federationPort = env('BRIDGE_FEDERATION_PORT');
    const privatePort = env('BRIDGE_PRIVATE_PORT');
    expect(federationPort).toMatch(/^\d+$/);
    expect(privatePort).toMatch(/^\d+$/);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${federationPort}$`, 'm'));
    expect(dockerfile).not.toMatch(new RegExp(`^EXPOSE .*\\b${privatePort}\\b`, 'm'));
    // the health check runs inside the container, where the private listener answers /readyz
    expect(dockerfile).toContain(`http://127.0.0.1:${privatePort}/readyz`);
    for (const node of ['atina', 'pvpt']) {
      const environment = services[node]?.environment ?? {};
      expect(environment.BRIDGE_PRIVATE_HOST ?? '127.0.0.1').toBe('127.0.0.1');
      const published = (services[node]?.ports ?? []).map((p) => p.split(':').at(-1));
      expect(published).toEqual([federationPort]);
      expect(new URL(environment.BRIDGE_PUBLIC_URL!).port).toBe(federationPort);
    }
    expect(read('services/node/docker-entrypoint.sh')).not.toMatch(/--(port|private-port|federation-port)\b/);
  });

  it('runs the federation listener with TLS, never plain HTTP, and publishes no database', () => {
    const { services } = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
    expect(read('Dockerfile')).not.toMatch(/BRIDGE_FEDERATION_PLAIN_HTTP/);
    for (const [node, db] of [
      ['atina', 'atina-db'],
      ['pvpt', 'pvpt-db'],
    ] as const) {
      const environment = services[node]?.environment ?? {};
      expect(new URL(environment.BRIDGE_PUBLIC_URL!).protocol).toBe('https:');
      expect(environment).not.toHaveProperty('BRIDGE_FEDERATION_PLAIN_HTTP');
      // host networking would put the private listener's loopback on the host's
      expect(services[node]?.network_mode).toBeUndefined();
      expect(services[db]?.ports).toBeUndefined();
      expect(services[db]?.network_mode).toBeUndefined();
    }
  });

  it('says how to back up each node: its database, its data directory, and the keys secret kept apart', () => {
    const text = read('docker-compose.yml');
    const { services } = parse(text) as { services: Record<string, ComposeService> };
    const comments = text
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .join('\n');
    const dataDir = services.atina?.volumes?.map((v) => v.split(':')[1]).find((target) => target === '/data');
    expect(dataDir).toBe('/data');
    expect(comments).toMatch(/docker compose exec -T atina-db pg_dump -U bridge -d bridge\b/);
    expect(services['atina-db']?.environment).toMatchObject({ POSTGRES_USER: 'bridge', POSTGRES_DB: 'bridge' });
    expect(comments).toMatch(new RegExp(`docker compose exec -T atina tar -C ${dataDir} -czf - \\.`));
    expect(comments).toMatch(/pg_restore/);
    expect(comments).toMatch(/keys secret \(ATINA_KEYS_SECRET\) offline and never in the same backup/);
  });

  it('builds the node image on Node 24 LTS, installing every workspace package', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:24[-.\w]*$/m);
    const workspaces = ['apps', 'packages', 'services'].flatMap((top) =>
      readdirSync(`${root}/${top}`)
        .filter((d) => existsSync(`${root}/${top}/${d}/package.json`))
        .map((d) => `${top}/${d}`),
    );
    expect(workspaces.length).toBeGreaterThanOrEqual(5);
    // its package.json, or all of it when its install runs its own sources (the console's build)
    for (const w of workspaces) expect(dockerfile.split('\n')).toContainEqual(expect.stringMatching(new RegExp(`^COPY ${w}(/package\\.json ${w}/| ${w})$`)));
  });

  it('CI runs exactly the test command the README gives', () => {
    const readme = read('README.md');
    const command = /<!-- test-command -->\s*```sh\n(.+)\n```/.exec(readme)?.[1];
    expect(command).toBeDefined();
    expect(read('.ci/run').split('\n')).toContain(command);
  });
});

/** The directives of a unit file: name → every value given, in order (systemd allows repeats). */
function unitDirectives(text: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) directives.set(match[1]!, [...(directives.get(match[1]!) ?? []), match[2]!]);
  }
  return directives;
}

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

describe('systemd unit', () => {
  const unitPath = 'deploy/systemd/bridge.service';

  it('runs `bridge serve` hardened, on a private state directory, with the keys secret as an encrypted credential', () => {
    const unit = unitDirectives(read(unitPath));
    const one = (name: string) => {
      expect(unit.get(name), name).toHaveLength(1);
      return unit.get(name)![0]!;
    };
    expect(one('ExecStart')).toBe('/usr/bin/node /opt/bridge/services/node/bin/bridge.mjs serve --data-dir ${STATE_DIRECTORY}');
    expect(one('StateDirectory')).toBe('bridge');
    expect(one('StateDirectoryMode')).toBe('0700');
    expect(one('DynamicUser')).toBe('yes');
    for (const name of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'RestrictSUIDSGID', 'LockPersonality']) expect(one(name), name).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('RestrictAddressFamilies').split(' ').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
    expect(unit.get('SystemCallFilter')).toContain('@system-service');
    // the secret comes as a credential under the name the node reads, never in the environment
    expect(one('LoadCredentialEncrypted')).toMatch(new RegExp(`^${KEYS_SECRET_CREDENTIAL}:/`));
    for (const name of ['Environment', 'LoadCredential', 'SetCredential']) expect(unit.has(name), name).toBe(false);
  });

  it.runIf(existsSync(SYSTEMD_ANALYZE))('passes systemd-analyze verify without a warning, and its offline security review', () => {
    // verify needs the programs the unit runs: the Node running this test stands in for /usr/bin/node.
    const dir = mkdtempSync(join(tmpdir(), 'bridge-unit-'));
    try {
      const unit = join(dir, 'bridge.service');
      writeFileSync(unit, read(unitPath).replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
      const verify = spawnSync(SYSTEMD_ANALYZE, ['verify', unit], { encoding: 'utf8', cwd: dir });
      expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });
      // systemd's own exposure level, 0.0 (locked down) to 10.0 (--threshold counts tenths); the unit has 1.1
      const security = spawnSync(SYSTEMD_ANALYZE, ['security', '--offline=true', '--threshold=20', unit], { encoding: 'utf8', cwd: dir });
      expect(Number(/Overall exposure level for bridge\.service: ([\d.]+)/.exec(security.stdout)?.[1])).toBeLessThanOrEqual(2);
      expect(security.status, security.stdout.split('\n').filter((l) => l.includes('✗')).join('\n')).toBe(0);
      // and the check does fail on a misspelt directive
      writeFileSync(unit, read(unitPath).replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
      expect(spawnSync(SYSTEMD_ANALYZE, ['verify', unit], { encoding: 'utf8', cwd: dir }).stderr).toMatch(/Unknown key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
