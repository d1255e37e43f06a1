import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { exposeEcho } from '../shared/lb-services.ts';
import { labelledIbgpNodes, nodeAddresses } from '../shared/nodes.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';

// From the `communities` pool of fixtures/conformance/metallb-config.yaml:
// a literal community, an alias (vc-tag = 64512:200), localpref 150.
const COMMUNITIES = ['64512:100', '64512:200'];
const LOCAL_PREF = 150;

scenario({
  id: 'lb-communities-localpref',
  suite: 'loadbalancer',
  feature: 'lb-bgp-advertisements',
  description: 'communities (literal and alias) reach the TOR and the iBGP router; localpref reaches the iBGP peer and never the eBGP one',
  async run(ctx) {
    const { vip, createdAt } = await exposeEcho(ctx, 'web', { pool: 'communities' });
    const prefix = hostPrefix(vip);
    const tor = await expectRoute(ctx, prefix, nodeAddresses(ctx), { since: createdAt, convergence: 'announced' });
    for (const path of tor.route.paths) {
      expect([...path.communities].sort(), `communities at the TOR from ${path.neighbor}`).toEqual(COMMUNITIES);
      expect(path.localPref, `LOCAL_PREF at the TOR (eBGP) from ${path.neighbor}`).toBeUndefined();
    }

    const ibgp = await expectRoute(ctx, prefix, nodeAddresses(ctx, await labelledIbgpNodes(ctx)), { router: 'ibgp' });
    for (const path of ibgp.route.paths) {
      expect([...path.communities].sort(), `communities at the iBGP router from ${path.neighbor}`).toEqual(COMMUNITIES);
      expect(path.localPref, `LOCAL_PREF at the iBGP router from ${path.neighbor}`).toBe(LOCAL_PREF);
    }
  },
});
