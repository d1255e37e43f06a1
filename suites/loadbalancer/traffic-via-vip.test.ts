import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { sendMany } from '../../harness/traffic/expect.ts';
import { exposeEcho } from '../shared/lb-services.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';

scenario({
  id: 'lb-traffic-via-vip',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'HTTP to the VIP from outside, routed by the TOR, reaches the Service\'s pods',
  async run(ctx) {
    const { vip, createdAt } = await exposeEcho(ctx, 'web', { replicas: 3 });
    await expectRoute(ctx, hostPrefix(vip), nodeAddresses(ctx));
    const reached = await ctx.expectHttp(`HTTP to ${vip} to reach the web pods`, [
      { request: { address: vip, path: '/via-vip?x=1' }, expect: { backend: 'web', path: '/via-vip?x=1' } },
    ]);
    ctx.markConvergence('served', performance.now() - createdAt);
    ctx.log(`first answer from pod ${reached[0].echo?.pod} on ${reached[0].echo?.node}`);

    // Fresh connections, so the TOR's ECMP hashes each one anew: every one is answered by a pod of the Service.
    const pods = new Set((await ctx.kube.podsOf(ctx.namespace, 'app=web')).map((p) => p.metadata?.name));
    const results = await sendMany({ address: vip, path: '/many', headers: { connection: 'close' } }, 30, 4);
    const problems = results.flatMap((r, i) => ('error' in r ? [`#${i}: ${r.error}`]
      : r.response.status !== 200 || !pods.has(r.response.echo?.pod ?? '') ? [`#${i}: status ${r.response.status} from ${r.response.echo?.pod ?? 'no echo pod'}`] : []));
    expect(problems.join('\n'), 'every request to the VIP answered 200 by a pod of the Service').toBe('');
  },
});
