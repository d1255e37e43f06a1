import { scenario } from '../../harness/scenario/define.ts';
import { expectRoute, expectWithdrawn, exposeEcho, hostPrefix, nodeAddresses, scale } from '../shared/helpers.ts';

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
    ctx.convergenceMs = await expectWithdrawn(ctx, prefix, { since: scaledDown });

    const scaledUp = performance.now();
    await scale(ctx, 'web', 1);
    const { afterMs } = await expectRoute(ctx, prefix, nodeAddresses(ctx), { since: scaledUp });
    ctx.measure('reannouncedMs', afterMs);
    await ctx.expectHttp('the VIP answers again', [{ request: { address: vip }, expect: { backend: 'web' } }]);
  },
});
