import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, reportSettings, summarize, summaryTable, toJUnit, type CaseResult, type Report, type ScenarioResult } from './report.ts';
import { reportProblems } from './schema.ts';
import { REPO_ROOT } from '../../lib/repo-root.ts';

const exactCases: CaseResult[] = [
  { name: 'GET path-exact.example/foo → 200 from foo', status: 'passed', wait: 'Exact /foo', polls: 1,
    observed: { summary: '200 from foo (pod foo-abc)', status: 200, service: 'foo', pod: 'foo-abc', node: 'vc-node-1', path: '/foo' } },
  { name: 'GET path-exact.example/foo/ → 404', status: 'failed', wait: 'Exact /foo', polls: 150,
    observed: { summary: '200 from foo (pod foo-abc)', problem: 'status 200, want 404 (echo from foo-abc of service foo)', status: 200, service: 'foo', pod: 'foo-abc', node: null, path: '/foo/' } },
  { name: 'GET path-exact.example/bar → 404 with x-why', status: 'failed', wait: 'Exact /foo', polls: 150,
    observed: { summary: 'request failed: connect ECONNREFUSED', problem: 'request failed: connect ECONNREFUSED', error: 'connect ECONNREFUSED', headers: { 'x-why': null } } },
];
const rows: ScenarioResult[] = [
  { id: 'ingress-host-exact', suite: 'ingress', feature: 'ingress-core', status: 'passed', durationMs: 1234, convergenceMs: 310, message: null,
    cases: [{ name: 'route 198.19.0.1/32 on the TOR', status: 'passed', observed: { summary: 'next hops 10.0.0.2, 10.0.0.3' } }] },
  { id: 'ingress-tls-sni', suite: 'ingress', feature: 'ingress-tls', status: 'not-supported', durationMs: 0, convergenceMs: null, message: 'target x does not claim ingress-tls', cases: [] },
  { id: 'ingress-path-exact', suite: 'ingress', feature: 'ingress-core', status: 'failed', durationMs: 30_500, convergenceMs: null, message: 'timed out after 30011 ms waiting for Exact /foo; last observed: 2 of 3 cases failing:\n  …', cases: exactCases },
  { id: 'lb-node-loss', suite: 'loadbalancer', feature: 'lb-bgp', status: 'failed', durationMs: 40_000, convergenceMs: null, message: 'timed out <waiting> for "route" & more', dump: '/r/dumps/lb-node-loss',
    measurements: { failedRequestWindowMs: 1200 }, convergence: { withdrawn: 9100, servingAgain: 9350.5 }, cases: [] },
  { id: 'e2e-vip-ingress-pod', suite: 'e2e', feature: 'ingress-core', status: 'skipped', durationMs: 0, convergenceMs: null, message: 'not selected by --run/--suite', cases: [] },
];
const report: Report = {
  schemaVersion: REPORT_SCHEMA_VERSION,
  target: { name: 'reference', version: '0.1.0', features: ['ingress-core', 'lb-bgp'] },
  provider: { name: 'local', kubernetesVersion: 'v1.37.0', nodes: 3 },
  startedAt: '2026-11-26T12:00:00.000Z',
  durationMs: 81234,
  settings: { timeoutScale: 2, timeouts: { announce: 20_000, failover: 60_000 } },
  summary: summarize(rows),
  scenarios: rows,
};

/** The attribute values and text of a JUnit document, unescaped, after checking that no markup character (nor, in attributes, a line end) is raw. */
function junitStrings(xml: string): string[] {
  const body = xml.replace(/^<\?xml[^>]*\?>\n/, '');
  const values: string[] = [];
  for (const m of body.matchAll(/="([^"]*)"/g)) {
    // a parser turns raw tabs and line ends in an attribute into spaces
    expect(m[1]).not.toMatch(/[\t\n\r]/);
    values.push(m[1]);
  }
  for (const m of body.matchAll(/>([^<]+)</g)) values.push(m[1]);
  for (const v of values) {
    expect(v).not.toMatch(/[<>"]/);
    expect(v).not.toMatch(/&(?!(lt|gt|amp|quot|apos|#\d+);)/);
  }
  const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  return values.map((v) => v.replace(/&(lt|gt|amp|quot|apos|#\d+);/g, (_, e: string) => (e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : entities[e])));
}

describe('report', () => {
  it('counts every status', () => {
    expect(report.summary).toEqual({ passed: 1, failed: 2, skipped: 1, notSupported: 1 });
  });

  it('conforms to report.schema.json, cases, settings and convergence included', () => {
    expect(reportProblems(report)).toEqual([]);
    const { settings: _settings, ...withoutSettings } = report;
    expect(reportProblems(withoutSettings)).toEqual([]);
  });

  it('carries the version the schema requires', () => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'report.schema.json'), 'utf8'));
    expect(schema.properties.schemaVersion.const).toBe(REPORT_SCHEMA_VERSION);
    const { schemaVersion: _v, ...unversioned } = report;
    expect(reportProblems(unversioned)).toContain('(root) must have required property \'schemaVersion\'');
    expect(reportProblems({ ...report, schemaVersion: 1 }).some((p) => p.startsWith('/schemaVersion'))).toBe(true);
  });

  it('is rejected by the schema when a field is wrong or missing', () => {
    const bad = { ...report, summary: { passed: 1 }, scenarios: [{ ...rows[0], status: 'green' }] };
    const problems = reportProblems(bad);
    expect(problems).toContain('/summary must have required property \'failed\'');
    expect(problems.some((p) => p.startsWith('/scenarios/0/status'))).toBe(true);
  });

  it('is rejected by the schema when a case, the settings or a convergence is wrong', () => {
    const { cases: _cases, ...noCases } = rows[1];
    const badCase = { ...rows[2], cases: [{ ...exactCases[0], status: 'flaky' }, { ...exactCases[1], name: '' }, { status: 'passed', observed: { summary: 'x', colour: 'red' } }] };
    const problems = reportProblems({
      ...report,
      settings: { timeoutScale: 0, timeouts: { announce: '20s' }, extra: 1 },
      scenarios: [{ ...rows[0], convergence: { withdrawn: -1 } }, noCases, badCase],
    });
    expect(problems.some((p) => p.startsWith('/settings/timeoutScale'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/settings/timeouts/announce'))).toBe(true);
    expect(problems).toContain('/settings must NOT have additional properties');
    expect(problems.some((p) => p.startsWith('/scenarios/0/convergence/withdrawn'))).toBe(true);
    expect(problems).toContain('/scenarios/1 must have required property \'cases\'');
    expect(problems.some((p) => p.startsWith('/scenarios/2/cases/0/status'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/scenarios/2/cases/1/name'))).toBe(true);
    expect(problems).toContain('/scenarios/2/cases/2 must have required property \'name\'');
    expect(problems).toContain('/scenarios/2/cases/2/observed must NOT have additional properties');
  });

  it('takes the named timeouts from the run settings when there are any, and nothing else', () => {
    expect(reportSettings({ convergenceTimeoutMs: 30_000, reportDir: '/r' })).toBeUndefined();
    expect(reportSettings({ convergenceTimeoutMs: 30_000, timeoutScale: 2, timeouts: { announce: 20_000.4 } })).toEqual({ timeoutScale: 2, timeouts: { announce: 20_000 } });
    expect(reportSettings({ timeoutScale: 'fast', timeouts: { announce: 'soon' } })).toBeUndefined();
  });

  it('renders JUnit with failures, skips carrying the reason, and escaped text', () => {
    const xml = toJUnit(report);
    // 5 scenarios + 1 + 3 cases; failures: 2 scenarios + 2 cases; skipped: 2 scenarios (their cases are not listed)
    expect(xml).toContain('<testsuites name="vipcheck reference" tests="9" failures="4" skipped="2" time="81.234">');
    expect(xml).toContain('<testcase classname="vipcheck.loadbalancer" name="lb-node-loss" time="40.000">');
    expect(xml).toContain('<failure message="timed out &lt;waiting&gt; for &quot;route&quot; &amp; more">');
    expect(xml).toContain('<skipped message="not-supported: target x does not claim ingress-tls"/>');
    expect(xml).toContain('<property name="convergenceMs" value="310"/>');
    expect(xml).toContain('<property name="convergence.withdrawn" value="9100"/>');
    expect(xml).toContain('<property name="cases" value="1 passed, 2 failed"/>');
  });

  it('renders each case of a scenario that ran as a testcase of its own, a failed one with what it last saw', () => {
    const xml = toJUnit(report);
    expect(xml).toContain('<testsuite name="ingress" tests="7" failures="3" skipped="1" time="31.734">');
    expect(xml).toContain([
      '    <testcase classname="ingress-path-exact" name="GET path-exact.example/foo/ → 404" time="0.000">',
      '      <failure message="status 200, want 404 (echo from foo-abc of service foo)">last observed: 200 from foo (pod foo-abc)\nwait: Exact /foo\npolls: 150</failure>',
      '    </testcase>',
    ].join('\n'));
    expect(xml).toContain('<testcase classname="ingress-path-exact" name="GET path-exact.example/foo → 200 from foo" time="0.000">\n      <system-out>200 from foo (pod foo-abc)\nwait: Exact /foo\npolls: 1</system-out>');
    expect(xml).toContain('<testcase classname="ingress-host-exact" name="route 198.19.0.1/32 on the TOR" time="0.000">');
    // the cases follow their scenario's testcase
    expect(xml.indexOf('classname="ingress-path-exact"')).toBeGreaterThan(xml.indexOf('name="ingress-path-exact"'));
  });

  it('escapes hostile case names, observations and target names in JUnit', () => {
    const hostile = 'GET x/"><script>&amp;\'</script>]]> → 200 <!-- \u0007bell \ud800lone 😀\nsecond line';
    const cases: CaseResult[] = [{ name: hostile, status: 'failed', observed: { summary: '</system-out>&', problem: '"quoted" <b>', body: ']]><![CDATA[' } }];
    const xml = toJUnit({ ...report, target: { ...report.target, name: 'a"b<c' }, scenarios: [{ ...rows[2], cases }] });
    const strings = junitStrings(xml);
    // what XML 1.0 cannot carry is dropped; the rest comes back as written, line end included
    expect(strings).toContain(hostile.replace('\u0007', '').replace('\ud800', ''));
    expect(strings).toContain('"quoted" <b>');
    expect(strings).toContain('last observed: </system-out>&\nbody: ]]><![CDATA[');
    expect(strings).toContain('vipcheck a"b<c');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('prints a summary table with the cases and the closing count line', () => {
    const table = summaryTable(report);
    expect(table).toMatch(/ingress-host-exact\s+passed\s+1\/1\s+1\.2 s\s+310 ms/);
    expect(table).toMatch(/ingress-path-exact\s+failed\s+1\/3\s+30\.5 s/);
    expect(table.split('\n').slice(-2)).toEqual([
      'target reference on local: 1 skipped (not selected), 1 not-supported (feature not claimed), 81.2 s',
      'conformance: 1 passed, 2 failed, 2 skipped',
    ]);
  });
});
