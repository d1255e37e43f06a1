import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { createService, addressOf, expectRoute, hostPrefix, nodeAddresses, nodesWithReadyEndpoints, runVar } from '../shared/helpers.ts';
import { holdTimeMs } from './metallb-config.ts';
import { startRequestLoop } from '../shared/request-loop.ts';

// How long after the hold time the TOR may take to drop the next hop from RIB and FIB.
const MARGIN_MS = 3000;

scenario({
  id: 'lb-node-loss',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  disruptive: true,
  description: 'cutting one node off drops only its next hop at the TOR within the hold time, and traffic to the VIP keeps flowing through the others',
  async run(ctx) {
    // Local traffic policy and a pod on every node: once the TOR stops sending to the lost node, every flow lands on a node that serves it locally.
    await ctx.echoBackend('web', ctx.runtime.provider.nodes.length);
    await createService(ctx, 'web-vip', { backend: 'web', etp: 'Local' });
    const prefix = hostPrefix(await addressOf(ctx, 'web-vip'));
    const { route } = await expectRoute(ctx, prefix, () => nodesWithReadyEndpoints(ctx, 'web-vip'));
    expect(route.nextHops.length, `several next hops before the cut (${route.nextHops.join(', ')})`).toBeGreaterThan(1);

    // Cut a node that announces the VIP, preferably not the one running the load balancer's controller.
    const lb = ctx.target.loadBalancer!;
    const controllerNodes = (await ctx.kube.podsOf(lb.controllerPods.namespace, lb.controllerPods.labelSelector)).map((p) => p.spec?.nodeName);
    const candidates = ctx.runtime.provider.nodes.filter((n) => route.nextHops.includes(n.address));
    const victim = candidates.find((n) => !controllerNodes.includes(n.name)) ?? candidates[0];
    const survivors = route.nextHops.filter((a) => a !== victim.address);
    const holdMs = await holdTimeMs(ctx, runVar(ctx, 'torAddress'));

    const loop = startRequestLoop({ address: prefix.split('/')[0] }, { backend: 'web' });
    await new Promise((r) => setTimeout(r, 1000));
    const cutAt = performance.now();
    ctx.log(`cutting ${victim.name} (${victim.address}); hold time ${holdMs} ms`);
    await ctx.cutNode(victim.name);
    const removed = await expectRoute(ctx, prefix, survivors, { since: cutAt, timeoutMs: holdMs + MARGIN_MS });
    ctx.convergenceMs = removed.afterMs;
    ctx.measure('nextHopRemovedMs', removed.afterMs);
    await new Promise((r) => setTimeout(r, 2000));
    const summary = await loop.stop();
    ctx.measure('failedRequestWindowMs', summary.failedWindowMs);
    ctx.measure('failedRequests', summary.failed);
    ctx.measure('requests', summary.sent);
    ctx.log(`request loop: ${JSON.stringify({ ...summary, samples: undefined })}\n  ${summary.samples.join('\n  ')}`);

    expect(summary.sent - summary.failed, 'requests answered while the node was lost').toBeGreaterThan(0);
    if (summary.lastFailureAt !== undefined) {
      expect(summary.lastFailureAt - cutAt, 'failures stopped once the next hop was gone (ms after the cut)').toBeLessThanOrEqual(removed.afterMs + 1500);
    }
    await ctx.expectHttp('the VIP answers through the remaining nodes', [1, 2, 3, 4].map((i) => ({
      request: { address: prefix.split('/')[0], path: `/after-cut/${i}`, headers: { connection: 'close' } },
      expect: { backend: 'web' },
    })));

    // Back to where the next scenarios expect the cluster: the node reconnected and announcing again.
    await ctx.restoreNode(victim.name);
    await expectRoute(ctx, prefix, () => nodesWithReadyEndpoints(ctx, 'web-vip'), { timeoutMs: ctx.timeoutMs * 2 });
    await ctx.tor().waitForNeighbors(nodeAddresses(ctx), { timeoutMs: ctx.timeoutMs });
  },
});
