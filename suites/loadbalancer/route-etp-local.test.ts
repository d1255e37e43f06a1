import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { deploymentReady, pinToNode, scaleAndWait } from '../shared/deployments.ts';
import { addressOf, createService } from '../shared/lb-services.ts';
import { nodeAddresses, nodesWithReadyEndpoints } from '../shared/nodes.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';

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
    await deploymentReady(ctx, 'web');
    const createdAt = await createService(ctx, 'web-vip', { backend: 'web', etp: 'Local' });
    const vip = await addressOf(ctx, 'web-vip');
    const prefix = hostPrefix(vip);

    await expectRoute(ctx, prefix, nodeAddresses(ctx, [first]), { since: createdAt, convergence: 'announced' });

    // The pod moves to another node: the next hop moves with it.
    await pinToNode(ctx, 'web', second);
    await expectRoute(ctx, prefix, nodeAddresses(ctx, [second]), { convergence: 'moved' });

    // Scaled out anywhere: the next hops are the nodes that now hold ready endpoints.
    await pinToNode(ctx, 'web', null);
    await scaleAndWait(ctx, 'web', ctx.runtime.provider.nodes.length);
    const scaled = await expectRoute(ctx, prefix, () => nodesWithReadyEndpoints(ctx, 'web-vip'), { convergence: 'scaled' });
    expect(scaled.route.nextHops.length, `ECMP over several nodes after scaling out (next hops ${scaled.route.nextHops.join(', ')})`).toBeGreaterThan(1);

    // Scaled back to one: only that pod's node stays.
    await scaleAndWait(ctx, 'web', 1);
    const shrunk = await expectRoute(ctx, prefix, () => nodesWithReadyEndpoints(ctx, 'web-vip'));
    expect(shrunk.route.nextHops, 'one next hop after scaling to one pod').toHaveLength(1);
  },
});
