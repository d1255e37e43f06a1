import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect } from 'vitest';
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { scenario } from '../../harness/scenario/define.ts';
import { nodeAddresses } from '../shared/helpers.ts';
import { startRequestLoop } from '../shared/request-loop.ts';
import { controllerNodes, ingressOf } from './controller.ts';

const HOST = 'node-failure.e2e.example';
// A failure-free stretch this long (about 300 requests) counts as recovered.
const QUIET_MS = 5000;

scenario({
  id: 'e2e-node-failure',
  suite: 'e2e',
  feature: 'ingress-core',
  requires: ['lb-bgp'],
  disruptive: true,
  timeoutMs: 300_000,
  description: 'losing a node that runs a controller replica keeps the VIP serving through the remaining ones; the failed-request window is measured and reported',
  async run(ctx) {
    const nodes = ctx.runtime.provider.nodes;
    await ctx.echoBackend('app', nodes.length);
    await ctx.apply('e2e/ingress.yaml', { name: 'node-failure', host: HOST, backend: 'app' });
    const running = await controllerOnTwoNodes(ctx);
    const vip = ctx.ingressAddress();
    const request = { address: vip, host: HOST, headers: { connection: 'close' } };
    await ctx.expectHttp('the VIP serves the Ingress before the failure', [{ request, expect: { backend: 'app' } }]);

    // A node with a controller replica, preferably not the one with the load balancer's controller.
    const lb = ctx.target.loadBalancer;
    const lbNodes = lb ? (await ctx.kube.podsOf(lb.controllerPods.namespace, lb.controllerPods.labelSelector)).map((p) => p.spec?.nodeName) : [];
    const victim = running.find((n) => !lbNodes.includes(n)) ?? running[0];

    const loop = startRequestLoop(request, { backend: 'app' });
    await new Promise((r) => setTimeout(r, 1000));
    const cutAt = performance.now();
    ctx.log(`cutting ${victim}, which runs a controller replica (controllers on ${running.join(', ')})`);
    await ctx.cutNode(victim);
    // Recovered once the loop has gone QUIET_MS without a failure, while the node is still cut off.
    await loop.waitForQuiet(QUIET_MS, Math.max(ctx.timeoutMs * 3, 90_000), cutAt);
    const summary = await loop.stop();
    ctx.convergenceMs = Math.round((summary.lastFailureAt ?? cutAt) - cutAt); // node cut → end of the last failed request
    ctx.measure('failedRequestWindowMs', summary.failedWindowMs);
    ctx.measure('failedRequests', summary.failed);
    ctx.measure('requests', summary.sent);
    ctx.log(`request loop: ${summary.sent} sent, ${summary.failed} failed, window ${summary.failedWindowMs} ms, last failure ${ctx.convergenceMs} ms after the cut\n  ${summary.samples.join('\n  ')}`);
    if (summary.failed > 0) expect(summary.succeededDuringWindow, 'requests served by the other controllers while failures happened').toBeGreaterThan(0);
    await ctx.expectHttp(`the VIP serves through the controllers left without ${victim}`,
      [1, 2, 3, 4].map((i) => ({ request: { ...request, path: `/after/${i}` }, expect: { backend: 'app', path: `/after/${i}` } })));

    await ctx.restoreNode(victim);
    await nodeReady(ctx, victim);
    await ctx.tor().waitForNeighbors(nodeAddresses(ctx), { timeoutMs: ctx.timeoutMs * 2 });
    await ctx.expectHttp('the VIP serves after the node is back', [{ request, expect: { backend: 'app' } }]);
  },
});

/** The nodes running a Ready controller; with fewer than two, the controller's Deployment is scaled out for the scenario. */
async function controllerOnTwoNodes(ctx: ScenarioContext): Promise<string[]> {
  let running = await controllerNodes(ctx);
  if (running.length >= 2) return running;
  const deployment = ingressOf(ctx).ready.find((w) => w.kind === 'Deployment');
  if (!deployment) throw new Error(`the controller runs on ${running.length} node(s) and is not a Deployment that could be scaled out: no replica would remain`);
  const { namespace, name } = deployment;
  const before = (await ctx.kube.apps.readNamespacedDeployment({ namespace, name })).spec?.replicas ?? 1;
  const scaleTo = async (replicas: number) => {
    await ctx.kube.apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await ctx.kube.waitForDeployment(namespace, name, ctx.timeoutMs * 2);
  };
  ctx.log(`scaling ${namespace}/${name} from ${before} to ${ctx.runtime.provider.nodes.length} replicas for the scenario`);
  ctx.defer(() => scaleTo(before));
  await scaleTo(ctx.runtime.provider.nodes.length);
  running = (await ctx.eventually('controller replicas on at least two nodes', async () => {
    const nodes = await controllerNodes(ctx);
    return { ok: nodes.length >= 2, value: nodes, observed: nodes };
  })).value;
  return running;
}

async function nodeReady(ctx: ScenarioContext, name: string): Promise<void> {
  await ctx.eventually(`node ${name} to be Ready again`, async () => {
    const node = await ctx.kube.core.readNode({ name });
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    return { ok: ready?.status === 'True', observed: `Ready=${ready?.status} (${ready?.reason})` };
  }, { timeoutMs: ctx.timeoutMs * 2 });
}
