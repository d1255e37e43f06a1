import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { compareAddresses } from '../../harness/tor/rib.ts';
import type { RoutePath } from '../../harness/tor/tor.ts';
import { expectRoute, exposeEcho, hostPrefix, labelledIbgpNodes, nodeAddresses, runVar } from './helpers.ts';

const byNeighbor = (a: RoutePath, b: RoutePath) => compareAddresses(a.neighbor, b.neighbor);

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
    expect(tor.route.paths.sort(byNeighbor).map((p) => ({ from: p.neighbor, nextHop: p.nextHop, asPath: p.asPath })), 'paths at the eBGP TOR')
      .toEqual(nodeAddresses(ctx).map((a) => ({ from: a, nextHop: a, asPath: [nodeAsn] })));

    const ibgpNodes = nodeAddresses(ctx, await labelledIbgpNodes(ctx));
    const ibgp = await expectRoute(ctx, prefix, ibgpNodes, { router: 'ibgp' });
    // RFC 4271 §5.1.5: LOCAL_PREF SHALL be included in every UPDATE to an internal peer.
    expect(ibgp.route.paths.sort(byNeighbor).map((p) => ({ from: p.neighbor, nextHop: p.nextHop, asPath: p.asPath, hasLocalPref: p.localPref !== undefined })), 'paths at the iBGP router')
      .toEqual(ibgpNodes.map((a) => ({ from: a, nextHop: a, asPath: [], hasLocalPref: true })));
  },
});
