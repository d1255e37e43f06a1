import { describe, expect, it } from 'vitest';
import type { TestCase } from 'vitest/node';
import { ScenarioReporter } from './reporter.ts';
import type { CaseResult } from './case.ts';
import type { ScenarioMeta } from '../scenario/types.ts';

/** The parts of a vitest TestCase the reporter reads. */
function testCase(meta: ScenarioMeta['vipcheck'] & { convergence?: unknown }, state: 'passed' | 'failed', message = ''): TestCase {
  return {
    name: meta.id,
    fullName: meta.id,
    module: { moduleId: `/suites/${meta.id}.test.ts` },
    meta: () => ({ vipcheck: meta }),
    result: () => (state === 'failed' ? { state, errors: [{ message }] } : { state }),
    diagnostic: () => ({ duration: 2_500 }),
  } as unknown as TestCase;
}

const passed = (name: string): CaseResult => ({ name, status: 'passed', observed: { summary: '200 from foo (pod foo-1)' }, polls: 1 });
const failed = (name: string, problem: string): CaseResult => ({ name, status: 'failed', observed: { summary: '200 from foo (pod foo-1)', problem }, polls: 150 });

describe('ScenarioReporter', () => {
  it('names the failed cases of a failed scenario under the first line of its error', () => {
    const lines: string[] = [];
    const reporter = new ScenarioReporter((line) => lines.push(line));
    const cases = [passed('GET e.example/foo → 200 from foo'), failed('GET e.example/foo/ → 404', 'status 200, want 404'), failed('GET e.example/FOO → 404', 'status 200, want 404')];
    reporter.onTestCaseResult(testCase({ id: 'ingress-path-exact', suite: 'ingress', feature: 'ingress-core', cases, dumpDir: '/r/dumps/ingress-path-exact' }, 'failed',
      'timed out after 30011 ms waiting for Exact /foo; last observed: 2 of 3 cases failing:\n  GET e.example/foo/ → 404: status 200, want 404 (sent …)\n  GET e.example/FOO → 404: …'));
    expect(lines.join('\n').split('\n')).toEqual([
      'FAIL ingress-path-exact  2.5 s, 3 cases',
      '       timed out after 30011 ms waiting for Exact /foo; last observed: 2 of 3 cases failing:',
      '       failed cases (2 of 3):',
      '         ✗ GET e.example/foo/ → 404: status 200, want 404',
      '         ✗ GET e.example/FOO → 404: status 200, want 404',
      '       dump: /r/dumps/ingress-path-exact',
    ]);
    expect(reporter.results[0].cases).toEqual(cases);
  });

  it('shows the error as before when no case failed, and keeps a well-formed convergence record only', () => {
    const lines: string[] = [];
    const reporter = new ScenarioReporter((line) => lines.push(line));
    reporter.onTestCaseResult(testCase({ id: 'lb-node-loss', suite: 'loadbalancer', feature: 'lb-bgp', cases: [passed('a')], convergence: { withdrawn: 9100 } }, 'failed', 'cleanup failed: x\nsecond'));
    reporter.onTestCaseResult(testCase({ id: 'lb-other', suite: 'loadbalancer', feature: 'lb-bgp', convergence: { withdrawn: 'soon' } as unknown as Record<string, number> }, 'passed'));
    expect(lines).toEqual(['FAIL lb-node-loss  2.5 s, 1 case\n       cleanup failed: x\n       second', 'PASS lb-other  2.5 s']);
    expect(reporter.results.map((r) => r.convergence)).toEqual([{ withdrawn: 9100 }, undefined]);
    expect(reporter.results[1].cases).toEqual([]);
  });
});
