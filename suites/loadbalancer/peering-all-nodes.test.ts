import { scenario } from '../../harness/scenario/define.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { runVar } from '../shared/run-vars.ts';

scenario({
  id: 'lb-peering-all-nodes',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'the TOR has an Established session with every node, from the nodes\' ASN',
  async run(ctx) {
    const want = nodeAddresses(ctx).map((address) => ({ address, asn: Number(runVar(ctx, 'nodeAsn')), state: 'established' }));
    await ctx.eventually('an Established eBGP session from every node at the TOR', async () => {
      const neighbors = await ctx.tor().neighbors();
      const seen = want.map((w) => neighbors.find((n) => n.address === w.address));
      const ok = seen.every((n, i) => n?.state === want[i].state && n.asn === want[i].asn);
      return { ok, observed: neighbors.map((n) => `${n.address} AS${n.asn} ${n.state}`) };
    });
  },
});
