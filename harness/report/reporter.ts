// A vitest reporter that turns scenario tests into report rows and shows
// progress scenario by scenario. It lives in the `vipcheck run` process.
import type { Reporter, TestCase } from 'vitest/node';
import { numberRecord, type ScenarioResult } from './report.ts';
import type { ScenarioMeta } from '../scenario/types.ts';

const MARK: Record<ScenarioResult['status'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', 'not-supported': 'N/S ' };

export class ScenarioReporter implements Reporter {
  readonly results: ScenarioResult[] = [];
  private readonly print: (line: string) => void;

  constructor(print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.print = print;
  }

  onTestCaseResult(testCase: TestCase): void {
    const meta = (testCase.meta() as Partial<ScenarioMeta>).vipcheck;
    const result = testCase.result();
    const duration = Math.round(testCase.diagnostic()?.duration ?? 0);
    const errors = result.state === 'failed' ? result.errors.map((e) => e.message).join('\n') : null;
    const convergence = numberRecord((meta as { convergence?: unknown } | undefined)?.convergence);
    let status: ScenarioResult['status'];
    if (result.state === 'failed') status = 'failed';
    else if (result.state === 'passed') status = 'passed';
    else status = meta?.status === 'not-supported' ? 'not-supported' : 'skipped';
    const row: ScenarioResult = {
      id: meta?.id ?? testCase.name,
      suite: meta?.suite ?? 'ingress',
      feature: meta?.feature ?? 'unknown',
      status,
      durationMs: duration,
      convergenceMs: meta?.convergenceMs ?? null,
      message: status === 'failed' ? (errors ?? meta?.reason ?? 'failed') : (meta?.reason ?? null),
      ...(meta?.measurements && Object.keys(meta.measurements).length ? { measurements: meta.measurements } : {}),
      // Read defensively: set by the scenario toolkit's ctx.markConvergence, which a run may predate.
      ...(convergence && Object.keys(convergence).length ? { convergence } : {}),
      ...(meta?.dumpDir ? { dump: meta.dumpDir } : {}),
      cases: meta?.cases ?? [],
    };
    if (!meta) row.message = `${row.message ?? ''} (test "${testCase.fullName}" in ${testCase.module.moduleId} is not a scenario)`.trim();
    this.results.push(row);
    const converged = row.convergenceMs === null ? '' : `, converged in ${row.convergenceMs} ms`;
    const cases = row.cases.length ? `, ${row.cases.length} case${row.cases.length === 1 ? '' : 's'}` : '';
    const detail = status === 'failed' ? failureDetail(row) : status === 'passed' ? '' : `  (${row.message})`;
    this.print(`${MARK[status]} ${row.id}  ${(duration / 1000).toFixed(1)} s${cases}${converged}${detail}`);
  }
}

const INDENT = '\n       ';

/** The error, then each failed case by name with what it last saw (the error may name only some, or none). */
function failureDetail(row: ScenarioResult): string {
  const failed = row.cases.filter((c) => c.status === 'failed');
  // With failed cases, they say the rest: the error's first line names the wait.
  const message = (row.message ?? '').split('\n').slice(0, failed.length ? 1 : 6);
  const cases = failed.length ? [`failed cases (${failed.length} of ${row.cases.length}):`, ...failed.slice(0, 10).map((c) => `  ✗ ${c.name}: ${c.observed.problem ?? c.observed.summary}`),
    ...(failed.length > 10 ? [`  … ${failed.length - 10} more in report.json`] : [])] : [];
  return INDENT + [...message, ...cases, ...(row.dump ? [`dump: ${row.dump}`] : [])].join(INDENT);
}
