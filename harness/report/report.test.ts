import { describe, expect, it } from 'vitest';
import { summarize, summaryTable, toJUnit, type Report, type ScenarioResult } from './report.ts';
import { reportProblems } from './schema.ts';

const rows: ScenarioResult[] = [
  { id: 'ingress-host-exact', suite: 'ingress', feature: 'ingress-core', status: 'passed', durationMs: 1234, convergenceMs: 310, message: null },
  { id: 'ingress-tls-sni', suite: 'ingress', feature: 'ingress-tls', status: 'not-supported', durationMs: 0, convergenceMs: null, message: 'target x does not claim ingress-tls' },
  { id: 'lb-node-loss', suite: 'loadbalancer', feature: 'lb-bgp', status: 'failed', durationMs: 40_000, convergenceMs: null, message: 'timed out <waiting> for "route" & more', dump: '/r/dumps/lb-node-loss', measurements: { failedRequestWindowMs: 1200 } },
  { id: 'e2e-vip-ingress-pod', suite: 'e2e', feature: 'ingress-core', status: 'skipped', durationMs: 0, convergenceMs: null, message: 'not selected by --run/--suite' },
];
const report: Report = {
  target: { name: 'reference', version: '0.1.0', features: ['ingress-core', 'lb-bgp'] },
  provider: { name: 'local', kubernetesVersion: 'v1.37.0', nodes: 3 },
  startedAt: '2026-11-26T12:00:00.000Z',
  durationMs: 81234,
  summary: summarize(rows),
  scenarios: rows,
};

describe('report', () => {
  it('counts every status', () => {
    expect(report.summary).toEqual({ passed: 1, failed: 1, skipped: 1, notSupported: 1 });
  });

  it('conforms to report.schema.json', () => {
    expect(reportProblems(report)).toEqual([]);
  });

  it('is rejected by the schema when a field is wrong or missing', () => {
    const bad = { ...report, summary: { passed: 1 }, scenarios: [{ ...rows[0], status: 'green' }] };
    const problems = reportProblems(bad);
    expect(problems).toContain('/summary must have required property \'failed\'');
    expect(problems.some((p) => p.startsWith('/scenarios/0/status'))).toBe(true);
  });

  it('renders JUnit with failures, skips carrying the reason, and escaped text', () => {
    const xml = toJUnit(report);
    expect(xml).toContain('<testsuites name="vipcheck reference" tests="4" failures="1" skipped="2" time="81.234">');
    expect(xml).toContain('<testcase classname="vipcheck.loadbalancer" name="lb-node-loss" time="40.000">');
    expect(xml).toContain('<failure message="timed out &lt;waiting&gt; for &quot;route&quot; &amp; more">');
    expect(xml).toContain('<skipped message="not-supported: target x does not claim ingress-tls"/>');
    expect(xml).toContain('<property name="convergenceMs" value="310"/>');
  });

  it('prints a summary table with the closing count line', () => {
    const table = summaryTable(report);
    expect(table).toMatch(/ingress-host-exact\s+passed\s+1\.2 s\s+310 ms/);
    expect(table.split('\n').slice(-2)).toEqual([
      'target reference on local: 1 skipped (not selected), 1 not-supported (feature not claimed), 81.2 s',
      'conformance: 1 passed, 1 failed, 2 skipped',
    ]);
  });
});
