import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { addressOf, expectAllocationFailed } from '../shared/lb-services.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { addressIn } from '../shared/pools.ts';
import { expectRoute, hostPrefix, readRoute } from '../shared/routes.ts';
import { runVar } from '../shared/run-vars.ts';

scenario({
  id: 'lb-requested-ip',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'spec.loadBalancerIP and the metallb.universe.tf/loadBalancerIPs annotation get exactly that address; an address outside every pool gets none and an AllocationFailed event',
  async run(ctx) {
    // High in the `manual` pool, away from what lb-pool-annotation allocates from its start.
    const byField = addressIn(runVar(ctx, 'poolManual'), 201);
    const byAnnotation = addressIn(runVar(ctx, 'poolManual'), 202);
    const outside = runVar(ctx, 'outsideEveryPool');
    await ctx.echoBackend('web');
    const createdAt = performance.now();
    await ctx.apply('loadbalancer/requested-ip.yaml', { byField, byAnnotation });

    expect(await addressOf(ctx, 'by-field'), 'address of the Service with spec.loadBalancerIP').toBe(byField);
    expect(await addressOf(ctx, 'by-annotation'), 'address of the Service with the loadBalancerIPs annotation').toBe(byAnnotation);
    await expectRoute(ctx, hostPrefix(byField), nodeAddresses(ctx), { since: createdAt, convergence: 'announced' });
    await expectRoute(ctx, hostPrefix(byAnnotation), nodeAddresses(ctx));
    await ctx.expectHttp('both requested addresses answer', [
      { request: { address: byField }, expect: { backend: 'web' } },
      { request: { address: byAnnotation }, expect: { backend: 'web' } },
    ]);

    await expectAllocationFailed(ctx, 'outside');
    const { route } = await readRoute(ctx, hostPrefix(outside));
    expect(route, `no route for ${outside}, which lies outside every pool`).toBeUndefined();
  },
});
