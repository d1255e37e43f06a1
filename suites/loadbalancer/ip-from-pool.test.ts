import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { expectServiceEvent, exposeEcho } from '../shared/lb-services.ts';
import { inPool } from '../shared/pools.ts';
import { runVar } from '../shared/run-vars.ts';

scenario({
  id: 'lb-ip-from-pool',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'a LoadBalancer Service gets an address from the auto-assigned pool in status.loadBalancer.ingress, and an IPAllocated event',
  async run(ctx) {
    const { service, vip, createdAt } = await exposeEcho(ctx, 'web');
    ctx.markConvergence('allocated', performance.now() - createdAt);
    const pool = runVar(ctx, 'poolDefault');
    expect(inPool(vip, pool), `address ${vip} lies in the default pool ${pool}`).toBe(true);
    const message = await expectServiceEvent(ctx, service, 'IPAllocated');
    ctx.log(`IPAllocated: ${message}`);
  },
});
