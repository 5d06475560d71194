/**
 * `pnpm --silent sbom > bridge.cdx.json`: a CycloneDX 1.5 JSON SBOM of what a node runs, read from
 * pnpm-lock.yaml alone (offline, no install needed): every package reachable through the
 * `dependencies` and `optionalDependencies` of services/node and the workspace packages it links,
 * with its exact version, npm purl and the lockfile's integrity hash, and the dependency graph.
 * Development dependencies (test runner, type checker) are not shipped and not listed. The lockfile
 * holds no licences, so none are claimed. No timestamp or serial number: the same lockfile gives
 * the same bytes.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

interface Importer {
  dependencies?: Record<string, { version: string }>;
  optionalDependencies?: Record<string, { version: string }>;
}
interface Lockfile {
  lockfileVersion: string;
  importers: Record<string, Importer>;
  packages: Record<string, { resolution?: { integrity?: string } }>;
  snapshots: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } | null>;
}

export interface CycloneDxComponent {
  type: 'library' | 'application';
  'bom-ref': string;
  group?: string;
  name: string;
  version: string;
  purl?: string;
  hashes?: Array<{ alg: 'SHA-512' | 'SHA-256' | 'SHA-1'; content: string }>;
}
export interface CycloneDxBom {
  bomFormat: 'CycloneDX';
  specVersion: '1.5';
  version: 1;
  metadata: { component: CycloneDxComponent; properties: Array<{ name: string; value: string }> };
  components: CycloneDxComponent[];
  dependencies: Array<{ ref: string; dependsOn: string[] }>;
}

/** The importer a node ships: the server and, through `link:`, the workspace packages it uses. */
export const SHIPPED_IMPORTER = 'services/node';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `name@version(peer@x)…` → name and version without the peer suffix (pnpm's snapshot keys). */
function splitKey(key: string): { name: string; version: string } {
  const at = key.indexOf('@', 1);
  return { name: key.slice(0, at), version: key.slice(at + 1).replace(/\(.*$/, '') };
}

export function npmPurl(name: string, version: string): string {
  const encoded = name.startsWith('@') ? `%40${name.slice(1)}` : name;
  return `pkg:npm/${encoded}@${encodeURIComponent(version)}`;
}

const ALGORITHMS = { sha512: 'SHA-512', sha256: 'SHA-256', sha1: 'SHA-1' } as const;

/** An SRI integrity string (`sha512-<base64>`) as a CycloneDX hash (hex). */
function hashOf(integrity: string | undefined): CycloneDxComponent['hashes'] {
  const match = /^(sha512|sha256|sha1)-(.+)$/.exec(integrity ?? '');
  if (!match) return undefined;
  return [{ alg: ALGORITHMS[match[1] as keyof typeof ALGORITHMS], content: Buffer.from(match[2]!, 'base64').toString('hex') }];
}

export function sbomFromLockfile(text: string, readManifest: (importer: string) => { name: string; version?: string }): CycloneDxBom {
  const lock = parse(text) as Lockfile;
  if (!/^9\./.test(String(lock.lockfileVersion))) throw new Error(`pnpm lockfile version ${lock.lockfileVersion} is not supported (9.x is)`);
  const components = new Map<string, CycloneDxComponent>();
  const edges = new Map<string, Set<string>>();
  const edge = (from: string, to: string) => edges.set(from, (edges.get(from) ?? new Set()).add(to));
  const walked = new Set<string>();

  const visitPackage = (key: string): string => {
    const { name, version } = splitKey(key);
    const purl = npmPurl(name, version);
    if (!components.has(purl)) {
      const scoped = name.startsWith('@') ? { group: name.slice(0, name.indexOf('/')), name: name.slice(name.indexOf('/') + 1) } : { name };
      const hashes = hashOf(lock.packages[`${name}@${version}`]?.resolution?.integrity);
      components.set(purl, { type: 'library', 'bom-ref': purl, ...scoped, version, purl, ...(hashes ? { hashes } : {}) });
    }
    edges.set(purl, edges.get(purl) ?? new Set());
    // another peer variant of the same package may add edges; a key already walked adds nothing new
    if (!walked.has(key)) {
      walked.add(key);
      const snapshot = lock.snapshots[key];
      if (snapshot === undefined) throw new Error(`${key} is not in the lockfile's snapshots`);
      for (const [dep, ver] of Object.entries({ ...snapshot?.dependencies, ...snapshot?.optionalDependencies })) edge(purl, visitPackage(`${dep}@${ver}`));
    }
    return purl;
  };
  const visitImporter = (path: string): string => {
    const manifest = readManifest(path);
    const ref = `workspace:${path}`;
    if (edges.has(ref)) return ref;
    if (path !== SHIPPED_IMPORTER) components.set(ref, { type: 'library', 'bom-ref': ref, name: manifest.name, version: manifest.version ?? '0.0.0' });
    edges.set(ref, new Set());
    const importer = lock.importers[path];
    if (!importer) throw new Error(`${path} is not an importer of the lockfile`);
    for (const [dep, { version }] of Object.entries({ ...importer.dependencies, ...importer.optionalDependencies })) {
      edge(ref, version.startsWith('link:') ? visitImporter(posix.normalize(posix.join(path, version.slice('link:'.length)))) : visitPackage(`${dep}@${version}`));
    }
    return ref;
  };

  const shipped = readManifest(SHIPPED_IMPORTER);
  const rootRef = visitImporter(SHIPPED_IMPORTER);
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      component: { type: 'application', 'bom-ref': rootRef, name: shipped.name, version: shipped.version ?? '0.0.0' },
      properties: [{ name: 'bridge:sbom:source', value: `pnpm-lock.yaml (lockfileVersion ${lock.lockfileVersion}), production dependencies of ${SHIPPED_IMPORTER}` }],
    },
    components: [...components.values()].sort((a, b) => a['bom-ref'].localeCompare(b['bom-ref'])),
    dependencies: [...edges.entries()].map(([ref, to]) => ({ ref, dependsOn: [...to].sort() })).sort((a, b) => a.ref.localeCompare(b.ref)),
  };
}

export function readWorkspaceManifest(importer: string): { name: string; version?: string } {
  return JSON.parse(readFileSync(`${root}/${importer}/package.json`, 'utf8'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(sbomFromLockfile(readFileSync(`${root}/pnpm-lock.yaml`, 'utf8'), readWorkspaceManifest), null, 2)}\n`);
}
