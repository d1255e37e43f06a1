// The existing provider against an environment that `vipcheck up` left
// running: scenarios run through the user's kubeconfig; without TOR access
// the BGP scenario is not-supported rather than failed.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kube } from '../../kube/client.ts';
import { down, up } from '../local/lifecycle.ts';
import { referenceTarget } from '../../targets/reference.ts';
import { installTarget } from '../../targets/install.ts';
import { templateVars } from '../local/addressing.ts';
import { NODE, REPO_ROOT } from '../local/images.ts';
import { run } from '../../util/exec.ts';
import type { Report } from '../../report/report.ts';

describe('existing provider', () => {
  // Integration files run one after another and several need the fixed namespace names: leave nothing up.
  afterAll(() => down(), 120_000);

  it('runs scenarios on a cluster it did not create, BGP ones not-supported', async () => {
    const state = await up({ nodes: 3 });
    await installTarget(new Kube(state.kubeconfig), referenceTarget(), templateVars(state.plan!));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vc-existing-'));
    try {
      const result = await run([NODE, path.join(REPO_ROOT, 'bin/vipcheck.js'), 'run', '--provider', 'existing', '--kubeconfig', state.kubeconfig,
        '--install-target', 'false', '--run', 'ingress-host-exact,lb-route-etp-cluster', '--report-dir', dir], { reject: false, timeoutMs: 240_000 });
      expect(result.stdout).toContain('no TOR access');
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as Report;
      expect(report.provider.name).toBe('existing');
      const status = Object.fromEntries(report.scenarios.map((s) => [s.id, s.status]));
      expect(status['ingress-host-exact']).toBe('passed');
      expect(status['lb-route-etp-cluster']).toBe('not-supported');
      expect(report.scenarios.find((s) => s.id === 'lb-route-etp-cluster')?.message).toMatch(/no BGP access/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
