import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { compareAddresses } from '../../lib/net/index.ts';
import { addressOf, expectAllocationFailed } from '../shared/lb-services.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { addressIn } from '../shared/pools.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';
import { runVar } from '../shared/run-vars.ts';

scenario({
  id: 'lb-shared-ip',
  suite: 'loadbalancer',
  feature: 'lb-shared-ip',
  description: 'two Services with the same allow-shared-ip key and disjoint ports share one address and one route; overlapping ports are refused',
  async run(ctx) {
    const shared = addressIn(runVar(ctx, 'poolManual'), 210);
    await Promise.all([ctx.echoBackend('web'), ctx.echoBackend('api')]);
    await ctx.apply('loadbalancer/shared-ip.yaml', { shared });

    expect(await addressOf(ctx, 'web-shared'), 'web-shared (port 80) gets the shared address').toBe(shared);
    expect(await addressOf(ctx, 'api-shared'), 'api-shared (port 8080) gets the same address').toBe(shared);
    const { route } = await expectRoute(ctx, hostPrefix(shared), nodeAddresses(ctx));
    expect(route.paths.map((p) => p.neighbor).sort(compareAddresses), 'one path per node for the shared address, not one per Service').toEqual(nodeAddresses(ctx));
    await ctx.expectHttp('each port of the shared address reaches its own Service', [
      { request: { address: shared, port: 80 }, expect: { backend: 'web' } },
      { request: { address: shared, port: 8080 }, expect: { backend: 'api' } },
    ]);

    // Same key, but port 80 is taken.
    await expectAllocationFailed(ctx, 'clash');
  },
});
