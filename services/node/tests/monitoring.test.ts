import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type TestNode, startTestNode } from './support/nodes.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const rulesPath = `${root}/deploy/prometheus/bridge-rules.yml`;
const rulesTestPath = `${root}/deploy/prometheus/bridge-rules.test.yml`;
const dashboardPath = `${root}/deploy/grafana/bridge-dashboard.json`;
const PROMTOOL = '/usr/bin/promtool';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions, keywords,
 * label names (in braces or in by/without/on/ignoring lists), strings, ranges or numbers.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  return [...stripped.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]!).filter((w) => !PROMQL_WORDS.has(w.toLowerCase()));
}

/** Every sample name a /metrics page can hold, from its TYPE lines (a metric with no samples yet still has one). */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name!);
  }
  return names;
}

function rulesFile(): { groups: Array<{ name: string; rules: Rule[] }> } {
  return parse(readFileSync(rulesPath, 'utf8'));
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
    templating: { list: Array<{ definition?: string }> };
  };
  const targets = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  // label_values(metric, label): the metric only
  const variables = dashboard.templating.list.flatMap((v) => [...(v.definition ?? '').matchAll(/label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/g)].map((m) => m[1]!));
  return [...targets, ...variables];
}

describe('alert rules and dashboard', () => {
  let node: TestNode;
  let exported: Set<string>;
  beforeAll(async () => {
    node = await startTestNode('atina', { autoDispatch: false });
    const res = await fetch(`${node.url}/metrics`);
    exported = exportedNames(await res.text());
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('reads metric names out of PromQL, and only them', () => {
    expect(metricNames('sum by (instance, peer) (rate(bridge_delivery_attempts_total{outcome="failed", peer=~"a|b"}[15m])) / on(peer) group_left x_total > 0.5')).toEqual(['bridge_delivery_attempts_total', 'x_total']);
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(h_bucket{instance=~"$instance"}[$__rate_interval])))')).toEqual(['h_bucket']);
    expect(metricNames('g - time() < 21 * 86400 and bool Inf')).toEqual(['g']);
  });

  it('alert on what issue 18 names, using only metrics a running node exports', () => {
    const rules = rulesFile().groups.flatMap((g) => g.rules);
    const names = new Set(rules.flatMap((r) => metricNames(r.expr)));
    // undelivered age, delivery failures, dead letters, co-signature age, witness inconsistency, key (and TLS) expiry
    for (const needed of ['bridge_outbox_oldest_undelivered_age_seconds', 'bridge_delivery_attempts_total', 'bridge_outbox_messages', 'bridge_dead_letters_total', 'bridge_audit_uncosigned_age_seconds', 'bridge_witness_failures_total', 'bridge_key_expiry_timestamp_seconds']) {
      expect(names).toContain(needed);
    }
    expect(rules.every((r) => r.alert && /^Bridge[A-Za-z]+$/.test(r.alert))).toBe(true);
    expect([...names].filter((n) => !exported.has(n))).toEqual([]);
  });

  it('draws a dashboard that uses only metrics a running node exports', () => {
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThanOrEqual(15);
    const names = new Set(expressions.flatMap(metricNames));
    expect(names.size).toBeGreaterThanOrEqual(12);
    expect([...names].filter((n) => !exported.has(n))).toEqual([]);
  });

  it('checks the rules with promtool, and runs their unit tests', () => {
    if (!existsSync(PROMTOOL)) {
      console.warn(`${PROMTOOL} not found (Debian package prometheus): rules not checked by promtool`);
      return;
    }
    const check = spawnSync(PROMTOOL, ['check', 'rules', rulesPath], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const test = spawnSync(PROMTOOL, ['test', 'rules', rulesTestPath], { encoding: 'utf8' });
    expect(test.status, test.stdout + test.stderr).toBe(0);
  });
});
