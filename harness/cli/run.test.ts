import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from './run.ts';

describe('vipcheck run arguments', () => {
  it('defaults to the reference target on the local provider, 30 s waits, 3 workers, no extra reporter', async () => {
    expect(await parseRunArgs([])).toMatchObject({ provider: 'local', target: 'reference', convergenceTimeoutMs: 30_000, workers: 3, installTarget: true, keepNamespaces: false, reporters: [], reportDir: path.resolve('vipcheck-report') });
  });

  it('takes suites, ids, vitest reporters (built-in names or module paths) and BGP access for an existing cluster', async () => {
    const options = await parseRunArgs(['--provider', 'existing', '--kubeconfig', 'k', '--bgp-access', 'access.yaml', '--suite', 'ingress,e2e', '--run', 'lb-a, lb-b',
      '--reporter', 'github-actions,verbose', '--reporter', 'harness/report/reporter.ts', '--timeout', '5']);
    expect(options).toMatchObject({ provider: 'existing', kubeconfig: 'k', bgpAccess: path.resolve('access.yaml'), suites: ['ingress', 'e2e'], ids: ['lb-a', 'lb-b'], convergenceTimeoutMs: 5000 });
    expect(options.reporters).toEqual(['github-actions', 'verbose', path.resolve('harness/report/reporter.ts')]);
  });

  it('takes --timeout-scale as a factor on every named timeout, next to --timeout, the convergence bound', async () => {
    expect((await parseRunArgs([])).timeoutScale).toBe(1);
    expect(await parseRunArgs(['--timeout-scale', '2.5', '--timeout', '40'])).toMatchObject({ timeoutScale: 2.5, convergenceTimeoutMs: 40_000 });
  });

  it('refuses what it cannot honour, saying why', async () => {
    await expect(parseRunArgs(['--provider', 'docker'])).rejects.toThrow('--provider: unknown provider "docker" (known: local, kind, existing)');
    await expect(parseRunArgs(['--suite', 'l7'])).rejects.toThrow('--suite: unknown suite "l7" (known: ingress, loadbalancer, e2e)');
    await expect(parseRunArgs(['--timeout', '0'])).rejects.toThrow('--timeout must be a positive number of seconds, got "0"');
    for (const bad of ['0', '-1', 'slow', '1e3']) {
      await expect(parseRunArgs([`--timeout-scale=${bad}`])).rejects.toThrow(`--timeout-scale must be a factor above 0 and at most 100 (e.g. 2 on a slow machine), got "${bad}"`);
    }
    await expect(parseRunArgs(['--provider', 'existing'])).rejects.toThrow('--provider existing needs --kubeconfig PATH');
    await expect(parseRunArgs(['--bgp-access', 'a.yaml'])).rejects.toThrow('--bgp-access is for --provider existing; the local provider does not read it');
    await expect(parseRunArgs(['--provider', 'kind', '--kubeconfig', 'k'])).rejects.toThrow('--kubeconfig is for --provider existing; the kind provider does not read it');
    await expect(parseRunArgs(['--reporter', 'fancy'])).rejects.toThrow(/^--reporter: unknown reporter "fancy" \(vitest's: default, verbose, .*github-actions/);
    await expect(parseRunArgs(['--reporter', './no-such-reporter.ts'])).rejects.toThrow(`--reporter: no reporter module at ${path.resolve('no-such-reporter.ts')}`);
  });
});
