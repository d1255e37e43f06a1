import { scenario } from '../../harness/scenario/define.ts';
import { exposeEcho } from '../shared/lb-services.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';

scenario({
  id: 'lb-route-etp-cluster',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'externalTrafficPolicy Cluster: the TOR\'s RIB and kernel FIB hold VIP/32 with every node as an equal-cost next hop',
  async run(ctx) {
    // One pod only: with Cluster, nodes without a local endpoint announce too.
    const { vip, createdAt } = await exposeEcho(ctx, 'web', { replicas: 1, etp: 'Cluster' });
    await expectRoute(ctx, hostPrefix(vip), nodeAddresses(ctx), { since: createdAt, convergence: 'announced' });
  },
});
