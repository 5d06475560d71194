import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { initDataDir } from '../src/data-dir.ts';
import { createTestDatabase } from './support/databases.ts';
import { TEST_KEYS_ENV, TEST_KEYS_SECRET } from './support/keys-secret.ts';
import { startTestNode, type TestNode } from './support/nodes.ts';

describe('bridge peers add at the prompt', () => {
  let pvpt: TestNode;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    pvpt = await startTestNode('pvpt');
    dir = await mkdtemp(join(tmpdir(), 'bridge-prompt-'));
    await initDataDir(dir, { nodeId: 'atina', name: 'Atina', jurisdiction: 'RS', publicUrl: 'http://127.0.0.1:9' }, new Date(), TEST_KEYS_SECRET);
    env = { ...TEST_KEYS_ENV, DATABASE_URL: await createTestDatabase() };
  });
  afterAll(async () => {
    await pvpt?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function add(answer: string) {
    const out: string[] = [];
    const questions: string[] = [];
    const code = await main(['peers', 'add', pvpt.federationUrl, '--data-dir', dir], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      prompt: async (q) => (questions.push(q), answer),
      env,
      cwd: dir,
    });
    return { code, out: out.join('\n'), questions };
  }

  it('keeps the peer pending unless the operator types yes, then activates it', async () => {
    const declined = await add('no');
    expect(declined.code).toBe(0);
    expect(declined.questions).toHaveLength(1);
    expect(declined.out).toMatch(/fingerprint ([0-9A-F]{4}-){15}[0-9A-F]{4}/);
    expect(declined.out).toContain('pvpt is pending');
    const confirmed = await add('yes');
    expect(confirmed.out).toContain('pvpt is active');
  });
});
