import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { addressOf, createService } from '../shared/lb-services.ts';
import { inPool } from '../shared/pools.ts';
import { rangePool, runVar } from '../shared/run-vars.ts';

scenario({
  id: 'lb-pool-annotation',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'metallb.universe.tf/address-pool picks the pool; a pool with auto-assign: false is used only when named',
  async run(ctx) {
    const pools = { default: runVar(ctx, 'poolDefault'), manual: runVar(ctx, 'poolManual'), range: rangePool(ctx, 'poolRange') };
    await ctx.echoBackend('web');
    const services = [
      { name: 'in-manual', pool: 'manual', expected: pools.manual },
      { name: 'in-range', pool: 'range', expected: pools.range },
      // No annotation: only auto-assign pools may serve these, i.e. `default`.
      { name: 'unnamed-1', pool: undefined, expected: pools.default },
      { name: 'unnamed-2', pool: undefined, expected: pools.default },
      { name: 'unnamed-3', pool: undefined, expected: pools.default },
    ];
    const createdAt = performance.now();
    for (const s of services) await createService(ctx, s.name, { backend: 'web', pool: s.pool });
    const got = await Promise.all(services.map(async (s) => ({ ...s, address: await addressOf(ctx, s.name) })));
    ctx.markConvergence('allocated', performance.now() - createdAt);
    for (const s of got) {
      expect(inPool(s.address, s.expected), `${s.name} (pool ${s.pool ?? 'not named'}) got ${s.address}, want one in ${s.expected}`).toBe(true);
    }
  },
});
