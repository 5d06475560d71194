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
