import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-status-address',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'status.loadBalancer.ingress carries the address clients use (the VIP of the controller)',
  fixtures: ['ingress/status-address.yaml'],
  async run(ctx) {
    const address = ctx.ingressAddress();
    await ctx.eventually(`Ingress status to name ${address}`, async () => {
      const ingress = await ctx.kube.networking.readNamespacedIngress({ namespace: ctx.namespace, name: 'status' });
      const entries = ingress.status?.loadBalancer?.ingress ?? [];
      return { ok: entries[0]?.ip === address, observed: `status.loadBalancer.ingress: ${JSON.stringify(entries)}` };
    });
  },
});
