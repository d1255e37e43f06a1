import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { addressOf, createService } from '../shared/lb-services.ts';
import { holdTimeMs } from '../shared/metallb-config.ts';
import { nodesWithReadyEndpoints, restoreAndRejoin } from '../shared/nodes.ts';
import { recordLoop, startRequestLoop } from '../shared/request-loop.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';
import { runVar } from '../shared/run-vars.ts';
import { chooseVictim } from '../shared/victim.ts';

// How long after the hold time the TOR may take to drop the next hop from RIB and FIB (a protocol bound: not scaled).
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
    const vip = await addressOf(ctx, 'web-vip');
    const announcing = () => nodesWithReadyEndpoints(ctx, 'web-vip');
    const { route } = await expectRoute(ctx, hostPrefix(vip), announcing);
    expect(route.nextHops.length, `several next hops before the cut (${route.nextHops.join(', ')})`).toBeGreaterThan(1);

    const victim = await chooseVictim(ctx, ctx.runtime.provider.nodes.filter((n) => route.nextHops.includes(n.address)).map((n) => n.name));
    const holdMs = await holdTimeMs(ctx, runVar(ctx, 'torAddress'));
    const loop = startRequestLoop({ address: vip }, { backend: 'web' });
    await new Promise((r) => setTimeout(r, 1000));
    const cutAt = performance.now();
    ctx.log(`cutting ${victim.name} (${victim.address}); hold time ${holdMs} ms`);
    await ctx.cutNode(victim.name);
    const survivors = route.nextHops.filter((a) => a !== victim.address);
    const removed = await expectRoute(ctx, hostPrefix(vip), survivors, { since: cutAt, timeoutMs: holdMs + MARGIN_MS, convergence: 'nextHopRemoved' });
    await new Promise((r) => setTimeout(r, 2000));
    const summary = await loop.stop();
    recordLoop(ctx, summary);

    expect(summary.sent - summary.failed, 'requests answered while the node was lost').toBeGreaterThan(0);
    if (summary.lastFailureAt !== undefined) {
      expect(summary.lastFailureAt - cutAt, 'failures stopped once the next hop was gone (ms after the cut)').toBeLessThanOrEqual(removed.afterMs + 1500);
    }
    await ctx.expectHttp('the VIP answers through the remaining nodes', [1, 2, 3, 4].map((i) => ({
      request: { address: vip, path: `/after-cut/${i}`, headers: { connection: 'close' } },
      expect: { backend: 'web' },
    })));

    // Back to where the next scenarios expect the cluster: the node reconnected and announcing again.
    await restoreAndRejoin(ctx, victim.name);
    await expectRoute(ctx, hostPrefix(vip), announcing, { timeoutMs: ctx.timeouts.nodeRejoin });
  },
});
