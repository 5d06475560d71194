import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded.ts';
import { guideBlocks, guideScript } from './support/guide.ts';

/**
 * The integrator guide runs as written: every `sh` block of docs/integrator-guide.md, in order, in
 * ONE bash process with `-euo pipefail`, from a fresh directory inside the checkout (where a reader's
 * shell is), against the two real nodes the guide itself starts with `pnpm bridge init|serve` on
 * embedded PostgreSQL, onboards with `pnpm bridge peers add` and gives tokens with
 * `pnpm bridge clients create`. Only the ports differ (free ones instead of 4100, 4101, 4200, 4201 and 4300). The
 * typed-client example is saved and run with `pnpm exec tsx`, as the guide says.
 */

const root = fileURLToPath(new URL('../../..', import.meta.url));
const guidePath = join(root, 'docs/integrator-guide.md');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string | undefined;
let shell: ChildProcess | undefined;

afterAll(async () => {
  // The nodes run in the background in the script's process group (no job control): stop them all.
  if (shell?.pid !== undefined) await stopGroup(shell.pid);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('docs/integrator-guide.md', () => {
  it('finds the blocks the guide runs: sh blocks in order, the typed client saved as a file, the skipped ones left out', async () => {
    const blocks = guideBlocks(await readFile(guidePath, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    expect(blocks.filter((b) => b.kind === 'file').map((b) => b.file)).toEqual(['verify-webhook.mjs', 'webhook-receiver.mjs', 'typed-client.ts']);
    const script = guideScript(blocks, { atina: 1111, atinaPrivate: 1112, pvpt: 2222, pvptPrivate: 2223, receiver: 3333 });
    expect(script).not.toMatch(/\b(4100|4101|4200|4201|4300)\b/);
    expect(script).toContain('pnpm -s bridge serve --data-dir ./atina --federation-port 1111 --private-port 1112');
    expect(script).toContain('node webhook-receiver.mjs 3333');
    expect(script).not.toContain('kill %1');
    expect(script.indexOf("cat > 'typed-client.ts'")).toBeLessThan(script.indexOf('pnpm -s exec tsx typed-client.ts'));
    // every variable the blocks use is set by an earlier block (or is the helper's own)
    const assigned = new Set(['PATH', 'HOME', 'PWD']);
    for (const block of blocks.filter((b) => b.kind === 'sh')) {
      for (const [, name] of block.text.matchAll(/(?:^|[\s;(])(?:export\s+)?([A-Z_][A-Z0-9_]*)=/g)) assigned.add(name!);
      for (const [, name] of block.text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)) expect(assigned, `$${name} in the block at line ${block.line}`).toContain(name);
    }
  });

  it("waits with a bounded loop that stops at the first problem the node answers, and fails the script", async () => {
    const guide = await readFile(guidePath, 'utf8');
    const helper = /^wait_for\(\) \{\n[\s\S]*?\n\}$/m.exec(guideBlocks(guide).find((b) => b.text.includes('wait_for() {'))?.text ?? '')?.[0];
    expect(helper, 'the guide defines wait_for').toBeDefined();
    // A node that answers a sequence of bodies, then repeats the last; it counts the requests.
    let answers: string[] = [];
    let requests = 0;
    const server = createServer((_req, res) => {
      const body = answers[Math.min(requests++, answers.length - 1)]!;
      res.writeHead(JSON.parse(body).code ? 404 : 200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // `sleep` is a no-op here, so the 30 attempts take no time; `true` runs only if wait_for succeeded.
    const wait = async (bodies: string[]) => {
      answers = bodies;
      requests = 0;
      const script = `sleep() { :; }\n${helper}\nwait_for "${url}" token /v1/referrals/x '.status == "received"'\necho reached`;
      const run = await new Promise<Run>((resolve) => {
        const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      return { ...run, requests };
    };
    try {
      const problem = '{"type":"urn:bridge:problem:not_found","title":"Not found","status":404,"code":"not_found"}';
      expect(await wait([problem])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('"code":"not_found"'), requests: 1 });
      expect(await wait(['{"status":"requested"}', '{"status":"requested"}', '{"status":"received"}'])).toMatchObject({ code: 0, stdout: 'reached\n', requests: 3 });
      expect(await wait(['{"status":"requested"}'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('gave up'), requests: 30 });
    } finally {
      server.close();
    }
  });

  it('runs every shell block, in order, in one bash -euo pipefail, against two real nodes it starts', async () => {
    for (const tool of ['bash', 'curl', 'jq']) expect(spawnSync('which', [tool]).status, `${tool} is needed to run the guide (.ci/run installs it)`).toBe(0);
    const script = guideScript(guideBlocks(await readFile(guidePath, 'utf8')), { atina: await freePort(), atinaPrivate: await freePort(), pvpt: await freePort(), pvptPrivate: await freePort(), receiver: await freePort() });
    // Inside the checkout, as the guide asks: `pnpm bridge` finds the workspace from there.
    dir = await mkdtemp(join(root, '.guide-test-'));
    await writeFile(join(dir, 'guide.sh'), script);
    const env: Record<string, string | undefined> = { ...process.env, BRIDGE_LOG_LEVEL: 'warn', npm_config_update_notifier: 'false' };
    // Each node uses the embedded PostgreSQL in its data directory, as for a reader without DATABASE_URL.
    delete env.DATABASE_URL;
    const run = await runScript(join(dir, 'guide.sh'), dir, env, 420_000);
    console.log(`the guide's blocks (start times):\n${run.stderr.split('\n').filter((l) => l.startsWith('--- guide block')).join('\n')}`);
    const where = `${run.stderr.split('\n').filter((l) => l.startsWith('--- guide block')).at(-1) ?? 'before the first block'}`;
    expect(run.code, `the guide stopped in ${where}:\n${tail(run.stderr)}\n--- stdout:\n${tail(run.stdout)}`).toBe(0);

    const out = run.stdout;
    // What the blocks print is what the guide says they print.
    expect(out).toMatch(/peer pvpt is active/);
    expect(out).toMatch(/"code": "forbidden"[\s\S]*"requiredScopes": \[\s*"admin"\s*\]/);
    expect(out).toContain('{"status":"received","history":[["requested","atina"],["received","pvpt"]]}');
    expect(out).toContain('["completed","pvpt","SERVICE_PROVIDED"]');
    expect(out).toContain('"answer":"No: she speaks Serbian well; Albanian is her first language."');
    expect(out).toMatch(/^204$/m);
    expect(out).toMatch(/"code":"illegal_transition".*"detail":"a cancelled referral cannot become cancelled"/);
    expect(out).toMatch(/^created [0-9a-f-]{36}: (requested|received); 4 outbound referrals$/m);
    // The guide's receiver verified a delivery with the guide's verifyBridgeWebhook.
    expect(out).toMatch(/^verified referral\.status_changed received [0-9a-f-]{36}$/m);
    expect(out).toContain('already final: a cancelled referral cannot become cancelled');
    // No webhook secret reaches the screen but its prefix.
    expect(out).not.toMatch(/whsec_[A-Za-z0-9+/]{8}/);

    // The typed client is typed: the saved example compiles, strictly, against the generated types.
    const example = join(dir, 'try', 'typed-client.ts');
    expect(existsSync(example)).toBe(true);
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.base.json', files: ['try/typed-client.ts'] }));
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  }, 480_000);
});

function runScript(path: string, cwd: string, env: Record<string, string | undefined>, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    // Its own process group, so that everything the script leaves running can be stopped together.
    shell = spawn('bash', ['-euo', 'pipefail', path], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    shell.stdout!.on('data', (d) => (stdout += d));
    shell.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(the guide did not finish within ${timeoutMs / 1000} s)`;
      process.kill(-shell!.pid!, 'SIGTERM');
    }, timeoutMs);
    shell.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** SIGTERM to the group (each node stops its embedded PostgreSQL), SIGKILL to what is left after 30 s. */
async function stopGroup(pgid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(-pgid, 'SIGTERM');
  for (let i = 0; i < 60 && alive(); i++) await new Promise((r) => setTimeout(r, 500));
  if (alive()) process.kill(-pgid, 'SIGKILL');
}

const tail = (text: string) => text.split('\n').slice(-40).join('\n');
