import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { exposeEcho } from '../shared/lb-services.ts';
import { labelledIbgpNodes, nodeAddresses } from '../shared/nodes.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';
import { runVar } from '../shared/run-vars.ts';

scenario({
  id: 'lb-ibgp-ebgp-attributes',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'AS_PATH is [my-asn] towards the eBGP TOR and empty towards the iBGP router, which also gets LOCAL_PREF; NEXT_HOP is the announcing node\'s address',
  async run(ctx) {
    const nodeAsn = Number(runVar(ctx, 'nodeAsn'));
    const { vip } = await exposeEcho(ctx, 'web');
    const prefix = hostPrefix(vip);

    const tor = await expectRoute(ctx, prefix, nodeAddresses(ctx));
    expect(tor.route.paths.map((p) => p.neighbor).sort(), 'one path at the TOR from each node').toEqual(nodeAddresses(ctx).sort());
    for (const path of tor.route.paths) {
      expect(path.asPath, `AS_PATH at the eBGP TOR from ${path.neighbor}`).toEqual([nodeAsn]);
      expect(path.nextHop, `NEXT_HOP at the eBGP TOR from ${path.neighbor}`).toBe(path.neighbor);
    }

    const ibgpNodes = nodeAddresses(ctx, await labelledIbgpNodes(ctx));
    const ibgp = await expectRoute(ctx, prefix, ibgpNodes, { router: 'ibgp' });
    expect(ibgp.route.paths.map((p) => p.neighbor).sort(), 'one path at the iBGP router from each labelled node').toEqual([...ibgpNodes].sort());
    for (const path of ibgp.route.paths) {
      expect(path.asPath, `AS_PATH at the iBGP router from ${path.neighbor}`).toEqual([]);
      expect(path.nextHop, `NEXT_HOP at the iBGP router from ${path.neighbor}`).toBe(path.neighbor);
      // RFC 4271 §5.1.5: LOCAL_PREF SHALL be included in every UPDATE to an internal peer.
      expect(path.localPref, `LOCAL_PREF at the iBGP router from ${path.neighbor}`).toBeTypeOf('number');
    }
  },
});
