import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  ports?: string[];
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
