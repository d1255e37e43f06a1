import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { addressOf, createService, expectAllocationFailed } from '../shared/lb-services.ts';
import { inPool } from '../shared/pools.ts';
import { rangePool, runVar } from '../shared/run-vars.ts';

scenario({
  id: 'lb-ranges-and-cidrs',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'pools given as a-b ranges and as CIDRs both allocate; avoid-buggy-ips never hands out .0 or .255',
  async run(ctx) {
    const range = rangePool(ctx, 'poolRange');
    const buggy = runVar(ctx, 'poolBuggy'); // a /24 CIDR with avoid-buggy-ips
    await ctx.echoBackend('web');
    const services = [
      { name: 'ranged', pool: 'range', within: range },
      { name: 'cidr-1', pool: 'buggy', within: buggy },
      { name: 'cidr-2', pool: 'buggy', within: buggy },
      { name: 'cidr-3', pool: 'buggy', within: buggy },
    ];
    for (const s of services) await createService(ctx, s.name, { backend: 'web', pool: s.pool });
    for (const s of services) {
      const address = await addressOf(ctx, s.name);
      expect(inPool(address, s.within), `${s.name} got ${address}, want one in ${s.within}`).toBe(true);
      if (s.pool === 'buggy') expect(address, `${s.name} got an address that ends in .0 or .255`).not.toMatch(/\.(0|255)$/);
    }

    // A pool whose only addresses are .255 and .0 has nothing to hand out.
    await createService(ctx, 'buggy-only', { backend: 'web', pool: 'buggy-only' });
    await expectAllocationFailed(ctx, 'buggy-only');
  },
});
