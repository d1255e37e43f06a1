// The conformance report: report.json (a contract; report.schema.json
// describes it) and its JUnit rendering.
import type { ScenarioStatus, SuiteName } from '../scenario/types.ts';
import type { CaseResult } from './case.ts';

export type { CaseResult };

/**
 * The version of the report.json contract (report.schema.json requires it):
 * raised when a field changes meaning or a required one is added. 1 was
 * unnumbered; 2 added `cases` per scenario.
 */
export const REPORT_SCHEMA_VERSION = 2;

export interface ScenarioResult {
  id: string;
  suite: SuiteName;
  feature: string;
  status: ScenarioStatus;
  durationMs: number;
  convergenceMs: number | null;
  message: string | null;
  measurements?: Record<string, number>;
  /** Named convergence times in ms (ctx.markConvergence), when the scenario marks any. */
  convergence?: Record<string, number>;
  dump?: string;
  /** The cases it checked, in order; empty when it checked none (or did not run). */
  cases: CaseResult[];
}

/** The run's timeouts after scaling by --timeout-scale, when the run has named timeouts. */
export interface ReportSettings {
  timeoutScale?: number;
  timeouts?: Record<string, number>;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  target: { name: string; version: string; features: string[] };
  provider: { name: string; kubernetesVersion: string; nodes: number };
  startedAt: string;
  durationMs: number;
  settings?: ReportSettings;
  summary: { passed: number; failed: number; skipped: number; notSupported: number };
  scenarios: ScenarioResult[];
}

/** A scenario row of a report.json of any schema version: version 1 has no `cases`. */
export type StoredScenarioResult = Omit<ScenarioResult, 'cases'> & { cases?: CaseResult[] };

/** A report.json of any schema version as scripts read committed ones back (version 1 has no schemaVersion). */
export interface StoredReport extends Omit<Report, 'schemaVersion' | 'scenarios'> {
  schemaVersion?: number;
  scenarios: StoredScenarioResult[];
}

export function summarize(scenarios: ScenarioResult[]): Report['summary'] {
  const count = (s: ScenarioStatus) => scenarios.filter((r) => r.status === s).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), notSupported: count('not-supported') };
}

/** A record of finite numbers, or undefined for anything else (fields another part of the harness may not set yet). */
export function numberRecord(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, v]) => typeof v === 'number' && Number.isFinite(v)) ? Object.fromEntries(entries) as Record<string, number> : undefined;
}

/** The report's `settings` from the run's settings: only the named timeouts and their scale, when the run has them. */
export function reportSettings(settings: object): ReportSettings | undefined {
  const { timeoutScale, timeouts } = settings as { timeoutScale?: unknown; timeouts?: unknown };
  const out: ReportSettings = {};
  if (typeof timeoutScale === 'number' && timeoutScale > 0) out.timeoutScale = timeoutScale;
  const named = numberRecord(timeouts);
  if (named) out.timeouts = Object.fromEntries(Object.entries(named).map(([k, v]) => [k, Math.round(v)]));
  return Object.keys(out).length ? out : undefined;
}

/** Text content: markup escaped, and the characters XML 1.0 cannot carry at all dropped. */
function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}

/** An attribute value: as text, with tabs and line ends kept (a parser would turn them into spaces). */
function attr(text: string): string {
  return xml(text).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML: one testsuite per suite. Each scenario is a testcase
 * (classname `vipcheck.<suite>`, name = id): the verdict of record, which
 * also covers failures no case explains (setup, cleanup) and skips. The cases
 * of a scenario that ran follow it as testcases of their own (classname = the
 * scenario id, name = the case name). Both, because Jenkins and GitLab key a
 * test's history by classname + name (scenario histories go on as before
 * cases existed) and group by classname (Jenkins: a class per scenario,
 * GitLab: its "Suite" column), so a scenario's cases are listed together with
 * the failing one named; on GitHub, the JUnit actions annotate each failed
 * testcase, so a failed case gets its own annotation. A failed case thus
 * counts twice in the failure totals: once as itself and once in its scenario.
 */
export function toJUnit(report: Report): string {
  const suites = new Map<string, ScenarioResult[]>();
  for (const s of report.scenarios) suites.set(s.suite, [...(suites.get(s.suite) ?? []), s]);
  const ran = (r: ScenarioResult) => r.status === 'passed' || r.status === 'failed';
  const casesOf = (r: ScenarioResult) => (ran(r) ? r.cases ?? [] : []);
  const count = (results: ScenarioResult[]) => ({
    tests: results.reduce((a, r) => a + 1 + casesOf(r).length, 0),
    failures: results.reduce((a, r) => a + (r.status === 'failed' ? 1 : 0) + casesOf(r).filter((c) => c.status === 'failed').length, 0),
    skipped: results.filter((r) => !ran(r)).length,
  });
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = count(report.scenarios);
  lines.push(`<testsuites name="vipcheck ${attr(report.target.name)}" tests="${all.tests}" failures="${all.failures}" skipped="${all.skipped}" time="${seconds(report.durationMs)}">`);
  for (const [suite, results] of suites) {
    const n = count(results);
    const time = results.reduce((a, r) => a + r.durationMs, 0);
    lines.push(`  <testsuite name="${attr(suite)}" tests="${n.tests}" failures="${n.failures}" skipped="${n.skipped}" time="${seconds(time)}">`);
    for (const r of results) {
      lines.push(`    <testcase classname="vipcheck.${attr(suite)}" name="${attr(r.id)}" time="${seconds(r.durationMs)}">`);
      if (r.status === 'failed') lines.push(`      <failure message="${attr((r.message ?? 'failed').split('\n')[0].slice(0, 500))}">${xml(r.message ?? '')}${r.dump ? xml(`\ndump: ${r.dump}`) : ''}</failure>`);
      if (!ran(r)) lines.push(`      <skipped message="${attr(`${r.status}: ${r.message ?? ''}`)}"/>`);
      const cases = r.cases ?? [];
      const failedCases = cases.filter((c) => c.status === 'failed').length;
      const props = [['feature', r.feature], ['status', r.status],
        ...(r.convergenceMs !== null ? [['convergenceMs', String(r.convergenceMs)]] : []),
        ...Object.entries(r.convergence ?? {}).map(([k, v]) => [`convergence.${k}`, String(v)]),
        ...(cases.length ? [['cases', `${cases.length - failedCases} passed, ${failedCases} failed`]] : [])];
      lines.push(`      <properties>${props.map(([k, v]) => `<property name="${attr(k)}" value="${attr(v)}"/>`).join('')}</properties>`);
      lines.push('    </testcase>');
      // A case has no time of its own: its polls ran together with the scenario's other cases.
      for (const c of casesOf(r)) {
        lines.push(`    <testcase classname="${attr(r.id)}" name="${attr(c.name)}" time="0.000">`);
        const seen = [c.observed.summary, ...(c.observed.body !== undefined ? [`body: ${c.observed.body}`] : []), ...(c.wait ? [`wait: ${c.wait}`] : []), ...(c.polls !== undefined ? [`polls: ${c.polls}`] : [])].join('\n');
        if (c.status === 'failed') lines.push(`      <failure message="${attr(c.observed.problem ?? c.observed.summary)}">${xml(`last observed: ${seen}`)}</failure>`);
        else lines.push(`      <system-out>${xml(seen)}</system-out>`);
        lines.push('    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** The summary table printed at the end of a run. */
export function summaryTable(report: Report): string {
  const passedOf = (r: ScenarioResult) => `${r.cases.filter((c) => c.status === 'passed').length}/${r.cases.length}`;
  const rows = report.scenarios.map((r) => [r.id, r.status, r.cases.length ? passedOf(r) : '', `${(r.durationMs / 1000).toFixed(1)} s`, r.convergenceMs === null ? '' : `${r.convergenceMs} ms`]);
  const header = ['scenario', 'status', 'cases', 'time', 'convergence'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const s = report.summary;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '',
    `target ${report.target.name} on ${report.provider.name}: ${s.skipped} skipped (not selected), ${s.notSupported} not-supported (feature not claimed), ${(report.durationMs / 1000).toFixed(1)} s`,
    // The closing line in the form CI systems read: not-supported counts as skipped there.
    `conformance: ${s.passed} passed, ${s.failed} failed, ${s.skipped + s.notSupported} skipped`].join('\n');
}
