import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { exposeEcho } from '../shared/lb-services.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { expectRoute, hostPrefix, readRoute } from '../shared/routes.ts';
import { runVar } from '../shared/run-vars.ts';

scenario({
  id: 'lb-aggregation-length',
  suite: 'loadbalancer',
  feature: 'lb-bgp-advertisements',
  description: 'aggregation-length: 24 makes the TOR learn the /24 of the pool instead of the /32, and the VIP is reached through it',
  async run(ctx) {
    const aggregate = runVar(ctx, 'poolAggregated'); // the `aggregated` pool: one /24, aggregation-length 24
    const { vip, createdAt } = await exposeEcho(ctx, 'web', { pool: 'aggregated' });
    await expectRoute(ctx, aggregate, nodeAddresses(ctx), { since: createdAt, convergence: 'announced' });
    const { route } = await readRoute(ctx, hostPrefix(vip));
    expect(route, `no /32 for ${vip} next to its aggregate ${aggregate}`).toBeUndefined();
    await ctx.expectHttp(`${vip} answers through the /24 route`, [{ request: { address: vip }, expect: { backend: 'web' } }]);
  },
});
