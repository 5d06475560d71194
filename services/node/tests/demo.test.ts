import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo/run.ts';

describe('pnpm demo --once', () => {
  it('runs two nodes on their own embedded PostgreSQL, exchanges referrals, takes one through its lifecycle, prints both timelines and cleans up', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDemo(['--once'], { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: process.cwd() });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    // Each node says which of its two listeners is which.
    expect(text).toMatch(/atina\s+Atina — Belgrade\s+federation http:\/\/127\.0\.0\.1:\d+ {2}\(peers reach only this one\)\n\s+private {4}http:\/\/127\.0\.0\.1:\d+ {2}\(integration and admin API/);
    expect(text).toContain('atina now shows it as received');
    expect(text).toContain('Krasniqi-Çeliku');
    expect(text).toContain('Ђаковицу (Gjakovë)');
    expect(text).toMatch(/pvpt\s+#\d+\s+message\.received/);
    expect(text).toMatch(/atina\s+#\d+\s+message\.delivered/);
    // The first referral goes through its whole lifecycle, and both sides hold the same history.
    for (const status of ['accepted', 'in-progress', 'completed']) expect(text).toContain(`atina shows ${status}`);
    const sides = /\n {2}atina:\n([\s\S]*?)\n {2}pvpt:\n([\s\S]*?)\n\n/.exec(text)!;
    const statuses = (block: string) => block.split('\n').map((l) => l.trim().split(/\s+/).slice(1, 4).join(' '));
    const expected = ['requested by atina', 'received by pvpt', 'accepted by pvpt', 'in-progress by pvpt', 'completed by pvpt'];
    expect(statuses(sides[1]!)).toEqual(expected);
    expect(statuses(sides[2]!)).toEqual(expected);
    expect(sides[1]).toContain('SERVICE_PROVIDED (Service provided / Shërbimi u ofrua / Услуга пружена)');
    expect(text).toMatch(/atina\s+#\d+\s+referral\.status\s+pvpt.*status=completed/);
    const workDir = /working in (\S+)/.exec(text)![1]!;
    expect(existsSync(workDir)).toBe(false);
  }, 120_000);
});
