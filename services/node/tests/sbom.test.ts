import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { npmPurl, type CycloneDxBom } from '../../../scripts/sbom.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('SBOM', () => {
  // The script as `pnpm sbom` runs it, so what is checked is what an operator gets.
  const run = spawnSync(`${root}/node_modules/.bin/tsx`, ['scripts/sbom.ts'], { cwd: root, encoding: 'utf8' });
  const lock = parse(readFileSync(`${root}/pnpm-lock.yaml`, 'utf8')) as {
    importers: Record<string, { dependencies?: Record<string, { version: string }>; devDependencies?: Record<string, { version: string }> }>;
    packages: Record<string, { resolution: { integrity?: string } }>;
  };

  it('is CycloneDX 1.5 JSON for the node, listing fastify and jose at the lockfile\'s and the installed versions', () => {
    expect(run.status, run.stderr).toBe(0);
    const bom = JSON.parse(run.stdout) as CycloneDxBom;
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: { type: 'application', name: '@bridge/node' } } });
    for (const name of ['fastify', 'jose', 'pg', 'drizzle-orm', 'zod', 'pino']) {
      const locked = lock.importers['services/node']!.dependencies![name]!.version.replace(/\(.*$/, '');
      const installed = (JSON.parse(readFileSync(`${root}/services/node/node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
      expect(installed, name).toBe(locked);
      const found = bom.components.filter((c) => c.name === name && !c.group);
      expect(found.map((c) => c.purl), name).toEqual([npmPurl(name, locked)]);
      // the lockfile's integrity, as hex
      const integrity = lock.packages[`${name}@${locked}`]!.resolution.integrity!;
      expect(found[0]!.hashes).toEqual([{ alg: 'SHA-512', content: Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex') }]);
    }
    // scoped packages keep their scope as the group, and in the purl
    expect(bom.components.find((c) => c.group === '@fastify' && c.name === 'rate-limit')?.purl).toMatch(/^pkg:npm\/%40fastify\/rate-limit@\d/);
  });

  it('lists what a node runs and not the development tools, with a graph whose every reference resolves', () => {
    const bom = JSON.parse(run.stdout) as CycloneDxBom;
    const names = new Set(bom.components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name)));
    for (const dev of ['vitest', 'drizzle-kit', '@testcontainers/postgresql', 'fast-check']) {
      expect(lock.importers['.']!.devDependencies, dev).toHaveProperty([dev]);
      expect(names.has(dev), dev).toBe(false);
    }
    for (const workspace of ['@bridge/crypto', '@bridge/contract', '@bridge/console']) expect(names.has(workspace), workspace).toBe(true);
    const refs = new Set([bom.metadata.component['bom-ref'], ...bom.components.map((c) => c['bom-ref'])]);
    expect(bom.dependencies.map((d) => d.ref).sort()).toEqual([...refs].sort());
    for (const d of bom.dependencies) for (const to of d.dependsOn) expect(refs.has(to), `${d.ref} → ${to}`).toBe(true);
    expect(bom.components.length).toBeGreaterThan(100);
    // the same lockfile, the same bytes
    expect(spawnSync(`${root}/node_modules/.bin/tsx`, ['scripts/sbom.ts'], { cwd: root, encoding: 'utf8' }).stdout).toBe(run.stdout);
  });
});
