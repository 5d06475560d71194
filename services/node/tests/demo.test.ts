import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo/run.ts';

describe('pnpm demo --once', () => {
  it('runs two nodes on their own embedded PostgreSQL, exchanges a referral, prints both timelines and cleans up', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDemo(['--once'], { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: process.cwd() });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('atina now shows it as received');
    expect(text).toContain('Krasniqi-Çeliku');
    expect(text).toContain('Ђаковицу (Gjakovë)');
    expect(text).toMatch(/pvpt\s+#\d+\s+message\.received/);
    expect(text).toMatch(/atina\s+#\d+\s+message\.delivered/);
    const workDir = /working in (\S+)/.exec(text)![1]!;
    expect(existsSync(workDir)).toBe(false);
  }, 120_000);
});
