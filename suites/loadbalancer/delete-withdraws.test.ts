import { scenario } from '../../harness/scenario/define.ts';
import { deleteService, exposeEcho } from '../shared/lb-services.ts';
import { expectNoAnswer } from '../shared/no-answer.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { expectRoute, expectWithdrawn, hostPrefix } from '../shared/routes.ts';

scenario({
  id: 'lb-delete-withdraws',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  description: 'deleting the Service withdraws the route from the TOR\'s RIB and FIB and the VIP stops answering',
  async run(ctx) {
    const { service, vip } = await exposeEcho(ctx, 'web');
    const prefix = hostPrefix(vip);
    await expectRoute(ctx, prefix, nodeAddresses(ctx));
    await ctx.expectHttp('the VIP answers before the delete', [{ request: { address: vip }, expect: { backend: 'web' } }]);

    const deletedAt = performance.now();
    await deleteService(ctx, service);
    await expectWithdrawn(ctx, prefix, { since: deletedAt, convergence: 'withdrawn' });
    await expectNoAnswer(ctx, `${vip} to stop answering`, { address: vip });
  },
});
