import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { addressOf, createService, deleteService, expectAllocationFailed } from '../shared/lb-services.ts';
import { inPool } from '../shared/pools.ts';
import { rangePool } from '../shared/run-vars.ts';

scenario({
  id: 'lb-pool-exhaustion',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  // Runs alone: "freed address → served" must not be measured behind the Service churn of
  // concurrent scenarios (MetalLB v0.12 re-queues every Service, rate-limited, on each deletion).
  disruptive: true,
  description: 'when the pool is empty the next Service stays pending with AllocationFailed; freeing an address serves it',
  async run(ctx) {
    // What it measures follows a deletion: start after the teardown of the scenarios before it.
    await ctx.quietCluster();
    const tiny = rangePool(ctx, 'poolTiny'); // two addresses
    await ctx.echoBackend('web');
    await createService(ctx, 'first', { backend: 'web', pool: 'tiny' });
    await createService(ctx, 'second', { backend: 'web', pool: 'tiny' });
    const first = await addressOf(ctx, 'first');
    const second = await addressOf(ctx, 'second');
    expect([first, second].every((a) => inPool(a, tiny)), `${first} and ${second} lie in the tiny pool ${tiny}`).toBe(true);
    expect(first, 'two Services, two addresses').not.toBe(second);

    await createService(ctx, 'third', { backend: 'web', pool: 'tiny' });
    await expectAllocationFailed(ctx, 'third');

    const freedAt = performance.now();
    await deleteService(ctx, 'first');
    expect(await addressOf(ctx, 'third'), 'the waiting Service gets the freed address').toBe(first);
    ctx.markConvergence('freedAddressServed', performance.now() - freedAt);
  },
});
