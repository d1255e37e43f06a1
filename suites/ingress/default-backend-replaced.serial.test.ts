import { PatchStrategy } from '@kubernetes/client-node';
import { loadFixture } from '../../harness/kube/fixtures.ts';
import { FIELD_MANAGER, statusOf } from '../../harness/kube/client.ts';
import { SCENARIO_LABEL, type ScenarioContext } from '../../harness/scenario/context.ts';
import { scenario } from '../../harness/scenario/define.ts';
import { problemWith, sendMany, type HttpCase } from '../../harness/traffic/expect.ts';

const CASES = 6;
const AFTER_SERVED = 20;

/** Deleted the way test suites tear a case down: grace 0, background propagation, not waited for. */
async function deleteNow(ctx: ScenarioContext, namespace: string): Promise<void> {
  try {
    await ctx.kube.core.deleteNamespace({ name: namespace, gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

/** Lets the held Ingress of a case go (the fixture's finalizer), so its namespace can finish terminating. */
async function release(ctx: ScenarioContext, namespace: string): Promise<void> {
  const unheld = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace, name: 'catch-all', finalizers: null as unknown as string[] } };
  try {
    await ctx.kube.objects.patch(unheld, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

// Disruptive: each case's Ingress is the cluster-wide catch-all while it lasts.
scenario({
  id: 'ingress-default-backend-replaced',
  suite: 'ingress',
  feature: 'ingress-core',
  disruptive: true,
  description: `${CASES} cases in a row, each a fresh namespace with an echo and a defaultBackend-only Ingress, deleted (grace 0) before the next: each new one is served while the old Ingress is still there (terminating, its Pods gone), and once served no request misses it`,
  async run(ctx) {
    let previous: string | undefined;
    for (let i = 1; i <= CASES; i++) {
      const namespace = `${ctx.namespace}-${i}`;
      const backend = `fallback-${i}`;
      // pass or fail, no catch-all of ours is left behind, and no namespace stays terminating
      ctx.defer(() => deleteNow(ctx, namespace));
      ctx.defer(() => release(ctx, namespace));
      await ctx.kube.ensureNamespace(namespace, { [SCENARIO_LABEL]: ctx.scenario.id });
      const vars = ctx.vars({ namespace, name: backend, backend, replicas: 1 });
      await ctx.applyObjects(await loadFixture('scenarios/common/echo.yaml', vars, namespace), 'common/echo.yaml');
      await ctx.kube.waitForDeployment(namespace, backend, ctx.timeouts.deploymentReady);
      await ctx.applyObjects(await loadFixture('scenarios/ingress/default-backend-replaced.yaml', vars, namespace), 'ingress/default-backend-replaced.yaml');

      const cases: HttpCase[] = [
        { request: { address: ctx.ingressAddress(), host: 'any-host.default-backend-replaced.example', path: `/case-${i}` }, expect: { backend, path: `/case-${i}` } },
        { request: { address: ctx.ingressAddress(), host: null, path: `/case-${i}` }, expect: { backend } },
      ];
      // case 2 is the first replacement, the scenario's main convergence time
      await ctx.expectHttp(`case ${i}: the catch-all reaches ${namespace}/${backend}`, cases, { freshConnections: true, convergence: i > 1 ? `case${i}` : undefined });

      // Served once, served always: a stale default backend must not come back while the old namespace terminates.
      const burst = await sendMany({ ...cases[0].request, freshConnection: true }, AFTER_SERVED, 4);
      const missed = burst.flatMap((r) => {
        const problem = 'error' in r ? r.error : problemWith(r.response, cases[0].expect);
        return problem ? [problem] : [];
      });
      if (missed.length) throw new Error(`case ${i}: ${missed.length} of ${AFTER_SERVED} requests after it was served missed ${backend}: ${missed[0]}`);

      if (previous) await release(ctx, previous);
      await deleteNow(ctx, namespace);
      previous = namespace;
    }
  },
});
