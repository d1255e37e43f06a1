// The existing provider against an environment that `vipcheck up` left
// running: scenarios run through the user's kubeconfig; without BGP access
// the BGP scenario is not-supported rather than failed, with the access file
// `up` wrote it runs and passes.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kube } from '../../kube/client.ts';
import { down, up } from '../local/lifecycle.ts';
import { referenceTarget } from '../../targets/reference.ts';
import { installTarget } from '../../targets/install.ts';
import { templateVars } from '../local/addressing.ts';
import { NODE } from '../local/images.ts';
import { REPO_ROOT } from '../../../lib/repo-root.ts';
import { run } from '../../../lib/exec.ts';
import type { Report } from '../../report/report.ts';
import { acquireRunLock } from '../../cli/run-lock.ts';
import { bgpAccessFile } from '../local/bgp-access.ts';
import { localApiServer } from '../local/provider.ts';

describe('existing provider', () => {
  // Integration files run one after another and several need the fixed namespace names: leave nothing up.
  afterAll(() => down(), 120_000);

  it('runs scenarios on a cluster it did not create, BGP ones not-supported unless given BGP access; refuses a second run on that cluster', async () => {
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

      // With the BGP access file `up` wrote, the same BGP scenario runs, through the environment's TOR.
      const withBgp = await run([NODE, path.join(REPO_ROOT, 'bin/vipcheck.js'), 'run', '--provider', 'existing', '--kubeconfig', state.kubeconfig,
        '--bgp-access', bgpAccessFile(state.runDir), '--install-target', 'false', '--run', 'lb-route-etp-cluster', '--report-dir', dir], { reject: false, timeoutMs: 240_000 });
      expect(withBgp.stdout).toContain(`BGP access from ${bgpAccessFile(state.runDir)}: TOR 198.18.0.1 (AS 64512), iBGP router`);
      expect(withBgp.exitCode, withBgp.stdout + withBgp.stderr).toBe(0);
      const bgpReport = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as Report;
      expect(bgpReport.scenarios.filter((s) => s.status !== 'skipped').map((s) => [s.id, s.status])).toEqual([['lb-route-etp-cluster', 'passed']]);

      // While a run of the local provider holds this cluster, a run through the user's kubeconfig of it is refused at once.
      const release = acquireRunLock(localApiServer(), 'a concurrent run');
      try {
        const refused = await run([NODE, path.join(REPO_ROOT, 'bin/vipcheck.js'), 'run', '--provider', 'existing', '--kubeconfig', state.kubeconfig,
          '--install-target', 'false', '--run', 'ingress-host-exact', '--report-dir', dir], { reject: false, timeoutMs: 30_000 });
        expect(refused.exitCode).toBe(1);
        expect(refused.stderr).toContain(`vipcheck: another vipcheck run is using https://198.18.0.2:6443 (pid ${process.pid}, target a concurrent run, since `);
      } finally {
        release();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
