import { scenario } from '../../harness/scenario/define.ts';
import { scale } from '../shared/deployments.ts';
import { exposeEcho } from '../shared/lb-services.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { expectRoute, expectWithdrawn, hostPrefix } from '../shared/routes.ts';

scenario({
  id: 'lb-no-endpoints-withdraws',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'scaling the backend to zero withdraws the route; scaling back announces it again',
  async run(ctx) {
    const { vip } = await exposeEcho(ctx, 'web');
    const prefix = hostPrefix(vip);
    await expectRoute(ctx, prefix, nodeAddresses(ctx));

    const scaledDown = performance.now();
    await scale(ctx, 'web', 0);
    await expectWithdrawn(ctx, prefix, { since: scaledDown, convergence: 'withdrawn' });

    const scaledUp = performance.now();
    await scale(ctx, 'web', 1);
    await expectRoute(ctx, prefix, nodeAddresses(ctx), { since: scaledUp, convergence: 'reannounced' });
    await ctx.expectHttp('the VIP answers again', [{ request: { address: vip }, expect: { backend: 'web' } }]);
  },
});
