// The conformance report: report.json (a contract; report.schema.json
// describes it) and its JUnit rendering.
import type { ScenarioStatus, SuiteName } from '../scenario/types.ts';

export interface ScenarioResult {
  id: string;
  suite: SuiteName;
  feature: string;
  status: ScenarioStatus;
  durationMs: number;
  convergenceMs: number | null;
  message: string | null;
  measurements?: Record<string, number>;
  dump?: string;
}

export interface Report {
  target: { name: string; version: string; features: string[] };
  provider: { name: string; kubernetesVersion: string; nodes: number };
  startedAt: string;
  durationMs: number;
  summary: { passed: number; failed: number; skipped: number; notSupported: number };
  scenarios: ScenarioResult[];
}

export function summarize(scenarios: ScenarioResult[]): Report['summary'] {
  const count = (s: ScenarioStatus) => scenarios.filter((r) => r.status === s).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), notSupported: count('not-supported') };
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // characters XML 1.0 cannot carry at all
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** JUnit XML: one testsuite per suite; not-supported and skipped are <skipped> with the reason. */
export function toJUnit(report: Report): string {
  const suites = new Map<string, ScenarioResult[]>();
  for (const s of report.scenarios) suites.set(s.suite, [...(suites.get(s.suite) ?? []), s]);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = report.scenarios.length;
  const s = report.summary;
  lines.push(`<testsuites name="vipcheck ${xml(report.target.name)}" tests="${total}" failures="${s.failed}" skipped="${s.skipped + s.notSupported}" time="${(report.durationMs / 1000).toFixed(3)}">`);
  for (const [suite, results] of suites) {
    const failures = results.filter((r) => r.status === 'failed').length;
    const skipped = results.filter((r) => r.status === 'skipped' || r.status === 'not-supported').length;
    const time = results.reduce((a, r) => a + r.durationMs, 0) / 1000;
    lines.push(`  <testsuite name="${suite}" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">`);
    for (const r of results) {
      lines.push(`    <testcase classname="vipcheck.${suite}" name="${xml(r.id)}" time="${(r.durationMs / 1000).toFixed(3)}">`);
      if (r.status === 'failed') lines.push(`      <failure message="${xml((r.message ?? 'failed').split('\n')[0].slice(0, 500))}">${xml(r.message ?? '')}${r.dump ? xml(`\ndump: ${r.dump}`) : ''}</failure>`);
      if (r.status === 'skipped' || r.status === 'not-supported') lines.push(`      <skipped message="${xml(`${r.status}: ${r.message ?? ''}`)}"/>`);
      const props = [['feature', r.feature], ['status', r.status], ...(r.convergenceMs !== null ? [['convergenceMs', String(r.convergenceMs)]] : [])];
      lines.push(`      <properties>${props.map(([k, v]) => `<property name="${k}" value="${xml(v)}"/>`).join('')}</properties>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** The summary table printed at the end of a run. */
export function summaryTable(report: Report): string {
  const rows = report.scenarios.map((r) => [r.id, r.status, `${(r.durationMs / 1000).toFixed(1)} s`, r.convergenceMs === null ? '' : `${r.convergenceMs} ms`]);
  const header = ['scenario', 'status', 'time', 'convergence'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const s = report.summary;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '',
    `target ${report.target.name} on ${report.provider.name}: ${s.skipped} skipped (not selected), ${s.notSupported} not-supported (feature not claimed), ${(report.durationMs / 1000).toFixed(1)} s`,
    // The closing line in the form CI systems read: not-supported counts as skipped there.
    `conformance: ${s.passed} passed, ${s.failed} failed, ${s.skipped + s.notSupported} skipped`].join('\n');
}
