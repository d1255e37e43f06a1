import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { exposeEcho } from '../shared/lb-services.ts';
import { labelledIbgpNodes, nodeAddresses } from '../shared/nodes.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';

scenario({
  id: 'lb-node-selectors',
  suite: 'loadbalancer',
  feature: 'lb-node-selectors',
  description: 'the iBGP peer with node-selectors is peered, and learns routes, only from the matching nodes; the TOR peer without selectors from all',
  async run(ctx) {
    const labelled = await labelledIbgpNodes(ctx);
    const all = nodeAddresses(ctx);
    const selected = nodeAddresses(ctx, labelled);
    expect(selected.length > 0 && selected.length < all.length, `the run labels a proper subset of the nodes for the iBGP peer (labelled: ${labelled.join(', ') || 'none'})`).toBe(true);

    await ctx.eventually(`the iBGP router to hold sessions from exactly ${selected.join(', ')}`, async () => {
      const neighbors = await ctx.ibgpRouter().neighbors();
      const established = neighbors.filter((n) => n.state === 'established').map((n) => n.address);
      const ok = established.length === selected.length && selected.every((a) => established.includes(a));
      return { ok, observed: neighbors.map((n) => `${n.address} ${n.state}`) };
    });
    await ctx.tor().waitForNeighbors(all, { timeoutMs: ctx.timeouts.convergence });

    const { vip } = await exposeEcho(ctx, 'web');
    await expectRoute(ctx, hostPrefix(vip), selected, { router: 'ibgp' });
    await expectRoute(ctx, hostPrefix(vip), all);
  },
});
