import { scenario } from '../../harness/scenario/define.ts';
import { expectEvent, exposeEcho, inPool, runVar } from '../shared/helpers.ts';
import { expect } from 'vitest';

scenario({
  id: 'lb-ip-from-pool',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'a LoadBalancer Service gets an address from the auto-assigned pool in status.loadBalancer.ingress, and an IPAllocated event',
  async run(ctx) {
    const { service, vip, createdAt } = await exposeEcho(ctx, 'web');
    ctx.convergenceMs = Math.round(performance.now() - createdAt);
    const pool = runVar(ctx, 'poolDefault');
    expect(inPool(vip, pool), `address ${vip} lies in the default pool ${pool}`).toBe(true);
    const message = await expectEvent(ctx, service, 'IPAllocated');
    ctx.log(`IPAllocated: ${message}`);
  },
});
