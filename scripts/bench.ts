/**
 * Benchmark dispatcher: `pnpm bench <name> [args...]` runs `scripts/bench/<name>.ts`, whose
 * `run(args)` prints its own result (one JSON object on stdout).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  run(args: string[]): Promise<unknown>;
}

const benchDir = fileURLToPath(new URL('./bench/', import.meta.url));

function available(): string[] {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: pnpm bench <name> [options]\navailable benchmarks:\n${available().map((n) => `  ${n}\n`).join('')}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (name === undefined || name === '' || name === '--help' || name === '-h') usage('no benchmark named');
  // Only names found in scripts/bench/ are importable: no paths from the command line.
  if (!available().includes(name)) usage(`unknown benchmark: ${name}`);
  const mod = (await import(pathToFileURL(`${benchDir}${name}.ts`).href)) as Partial<BenchModule>;
  if (typeof mod.run !== 'function') usage(`scripts/bench/${name}.ts does not export run(args)`);
  await mod.run(args);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
