import { describe, expect, it } from 'vitest';
// Committed reports are of several schema versions: read them as what the versions share.
import type { StoredReport as Report, StoredScenarioResult as ScenarioResult } from '../harness/report/report.ts';
import { BEGIN, END, convergenceTable, matrixTable, median, replaceBlock } from './results-matrix.ts';

function report(name: string, scenarios: Partial<ScenarioResult>[]): Report {
  const full = scenarios.map((s) => ({ suite: 'ingress', feature: 'ingress-core', status: 'passed', durationMs: 1, convergenceMs: null, message: null, ...s }) as ScenarioResult);
  const count = (status: string) => full.filter((s) => s.status === status).length;
  return {
    target: { name, version: '1', features: [] },
    provider: { name: 'local', kubernetesVersion: 'v1.37.0', nodes: 3 },
    startedAt: '2026-11-26T00:00:00Z',
    durationMs: 1000,
    summary: { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), notSupported: count('not-supported') },
    scenarios: full,
  };
}

describe('results matrix', () => {
  it('median of odd and even counts, none for nothing', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(4);
    expect(median([])).toBeUndefined();
  });

  it('one row per scenario of any report, suites in order, a dash where a target has no result', () => {
    const reports = new Map([
      ['reference', report('reference', [{ id: 'lb-b', suite: 'loadbalancer' }, { id: 'ingress-a' }])],
      ['traefik', report('traefik', [{ id: 'ingress-a', status: 'failed' }, { id: 'e2e-c', suite: 'e2e', status: 'not-supported' }])],
    ]);
    const lines = matrixTable(reports, ['reference', 'traefik', 'absent']).split('\n');
    expect(lines[0]).toBe('| scenario | reference | traefik |');
    expect(lines.slice(2)).toEqual([
      '| ingress-a | passed | **failed** |',
      '| lb-b | passed | — |',
      '| e2e-c | — | not-supported |',
      '| **passed / failed / not-supported** | 2 / 0 / 0 | 0 / 1 / 1 |',
    ]);
  });

  it('convergence medians count passed scenarios of the group only', () => {
    const reports = new Map([
      ['reference', report('reference', [
        { id: 'lb-route-etp-cluster', convergenceMs: 100 },
        { id: 'lb-route-etp-local', convergenceMs: 300 },
        { id: 'lb-requested-ip', convergenceMs: 9000, status: 'failed' },
        { id: 'lb-node-loss', convergenceMs: 7000 },
      ])],
    ]);
    const table = convergenceTable(reports, ['reference']);
    expect(table).toContain('| BGP announcement | 200 (n=2) |');
    expect(table).toContain('| node loss: next hop withdrawn | 7000 (n=1) |');
    expect(table).toContain('| ingress update | — |');
  });

  it('convergence medians take the repeat runs of a target too', () => {
    const reports = new Map([['reference', report('reference', [{ id: 'lb-node-loss', convergenceMs: 7000 }])]]);
    const repeats = new Map([['reference', [report('reference', [{ id: 'lb-node-loss', convergenceMs: 9000 }]), report('reference', [{ id: 'lb-node-loss', convergenceMs: 8000 }])]]]);
    expect(convergenceTable(reports, ['reference'], repeats)).toContain('| node loss: next hop withdrawn | 8000 (n=3) |');
  });

  it('replaces only the generated block, keeping the text around it', () => {
    const doc = `# Results\n\nintro\n\n${BEGIN}\nold\n${END}\n\n## Failures\n\nwhy\n`;
    expect(replaceBlock(doc, `${BEGIN}\nnew\n${END}`)).toBe(`# Results\n\nintro\n\n${BEGIN}\nnew\n${END}\n\n## Failures\n\nwhy\n`);
    expect(replaceBlock('# Results\n', `${BEGIN}\nnew\n${END}`)).toBe(`# Results\n\n${BEGIN}\nnew\n${END}\n`);
  });
});
