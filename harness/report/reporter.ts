// A vitest reporter that turns scenario tests into report rows and shows
// progress scenario by scenario. It lives in the `vipcheck run` process.
import type { Reporter, TestCase } from 'vitest/node';
import type { ScenarioResult } from './report.ts';
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
      ...(meta?.dumpDir ? { dump: meta.dumpDir } : {}),
    };
    if (!meta) row.message = `${row.message ?? ''} (test "${testCase.fullName}" in ${testCase.module.moduleId} is not a scenario)`.trim();
    this.results.push(row);
    const convergence = row.convergenceMs === null ? '' : `, converged in ${row.convergenceMs} ms`;
    const detail = status === 'failed' ? `\n       ${(row.message ?? '').split('\n').slice(0, 6).join('\n       ')}${row.dump ? `\n       dump: ${row.dump}` : ''}` : status === 'passed' ? '' : `  (${row.message})`;
    this.print(`${MARK[status]} ${row.id}  ${(duration / 1000).toFixed(1)} s${convergence}${detail}`);
  }
}
