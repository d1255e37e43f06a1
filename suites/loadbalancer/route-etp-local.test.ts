import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { addressOf, createService, expectRoute, hostPrefix, nodeAddresses, nodesWithReadyEndpoints, pinToNode, scale } from '../shared/helpers.ts';

scenario({
  id: 'lb-route-etp-local',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'externalTrafficPolicy Local: the next hops are exactly the nodes with a ready endpoint, and follow the pods when they move or scale',
  async run(ctx) {
    const [first, second] = ctx.runtime.provider.nodes.map((n) => n.name);
    if (!second) throw new Error('lb-route-etp-local needs at least two nodes');
    await ctx.echoBackend('web', 1, { wait: false });
    await pinToNode(ctx, 'web', first);
    await ctx.kube.waitForDeployment(ctx.namespace, 'web', ctx.timeoutMs);
    const createdAt = await createService(ctx, 'web-vip', { backend: 'web', etp: 'Local' });
    const vip = await addressOf(ctx, 'web-vip');
    const prefix = hostPrefix(vip);

    const { afterMs } = await expectRoute(ctx, prefix, nodeAddresses(ctx, [first]), { since: createdAt });
    ctx.convergenceMs = afterMs;

    // The pod moves to another node: the next hop moves with it.
    await pinToNode(ctx, 'web', second);
    const moved = await expectRoute(ctx, prefix, nodeAddresses(ctx, [second]));
    ctx.measure('movedMs', moved.afterMs);

    // Scaled out anywhere: the next hops are the nodes that now hold ready endpoints.
    await pinToNode(ctx, 'web', null);
    await scale(ctx, 'web', ctx.runtime.provider.nodes.length);
    await ctx.kube.waitForDeployment(ctx.namespace, 'web', ctx.timeoutMs);
    const scaled = await expectRoute(ctx, prefix, () => nodesWithReadyEndpoints(ctx, 'web-vip'));
    ctx.measure('scaledMs', scaled.afterMs);
    expect(scaled.route.nextHops.length, `ECMP over several nodes after scaling out (next hops ${scaled.route.nextHops.join(', ')})`).toBeGreaterThan(1);

    // Scaled back to one: only that pod's node stays.
    await scale(ctx, 'web', 1);
    await ctx.kube.waitForDeployment(ctx.namespace, 'web', ctx.timeoutMs);
    const shrunk = await expectRoute(ctx, prefix, () => nodesWithReadyEndpoints(ctx, 'web-vip'));
    expect(shrunk.route.nextHops, 'one next hop after scaling to one pod').toHaveLength(1);
  },
});
