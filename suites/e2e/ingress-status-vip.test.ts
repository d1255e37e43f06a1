import { scenario } from '../../harness/scenario/define.ts';
import { ingressOf } from '../shared/ingress-controller.ts';
import { addressOf } from '../shared/lb-services.ts';

scenario({
  id: 'e2e-ingress-status-vip',
  suite: 'e2e',
  feature: 'ingress-core',
  requires: ['lb-bgp'],
  description: 'the Ingress\'s status address equals the VIP the load balancer allocated to the controller\'s Service, and that address serves the Ingress',
  async run(ctx) {
    await ctx.echoBackend('app');
    await ctx.apply('e2e/ingress.yaml', { name: 'status-vip', host: 'status-vip.e2e.example', backend: 'app' });
    const { namespace, service } = ingressOf(ctx).publish;
    const vip = await addressOf(ctx, service, namespace);
    await ctx.eventually(`the Ingress status to carry the controller's VIP ${vip}`, async () => {
      const ingress = await ctx.kube.networking.readNamespacedIngress({ namespace: ctx.namespace, name: 'status-vip' });
      const entries = ingress.status?.loadBalancer?.ingress ?? [];
      return { ok: entries.length === 1 && entries[0].ip === vip, observed: `status.loadBalancer.ingress: ${JSON.stringify(entries)}` };
    });
    await ctx.expectHttp('the status address serves the Ingress', [
      { request: { address: vip, host: 'status-vip.e2e.example' }, expect: { backend: 'app' } },
    ]);
  },
});
