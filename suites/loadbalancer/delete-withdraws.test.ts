import { scenario } from '../../harness/scenario/define.ts';
import { send } from '../../harness/traffic/client.ts';
import { expectRoute, expectWithdrawn, exposeEcho, hostPrefix, nodeAddresses } from '../shared/helpers.ts';

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
    await ctx.kube.core.deleteNamespacedService({ namespace: ctx.namespace, name: service });
    ctx.convergenceMs = await expectWithdrawn(ctx, prefix, { since: deletedAt });
    await ctx.eventually(`${vip} to stop answering`, async () => {
      try {
        const r = await send({ address: vip, timeoutMs: 1000, headers: { connection: 'close' } });
        return { ok: false, observed: `answered ${r.status} by ${r.echo?.pod ?? 'no echo'}` };
      } catch (error) {
        return { ok: true, observed: (error as Error).message };
      }
    });
  },
});
