import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { expectedHops, publishedService } from '../shared/ingress-controller.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';

scenario({
  id: 'e2e-vip-ingress-pod',
  suite: 'e2e',
  feature: 'ingress-core',
  requires: ['lb-bgp'],
  description: 'the ingress controller behind a LoadBalancer Service: a request to the VIP with Host and path goes client → TOR → node → kube-proxy → controller → Service → the right pod',
  fixtures: ['e2e/vip-ingress-pod.yaml'],
  async run(ctx) {
    const vip = ctx.ingressAddress();
    await Promise.all([ctx.echoBackend('app-a', 2), ctx.echoBackend('app-b', 2)]);
    const controller = await publishedService(ctx);
    expect(controller.status?.loadBalancer?.ingress?.map((i) => i.ip), 'the controller Service\'s LoadBalancer address').toContain(vip);
    await expectRoute(ctx, hostPrefix(vip), await expectedHops(ctx, controller));

    const at = (path: string, host = 'vip-ingress-pod.e2e.example') => ({ address: vip, host, path });
    const responses = await ctx.expectHttp('Host and path pick the pod behind the VIP', [
      { request: at('/a/page?x=1'), expect: { backend: 'app-a', path: '/a/page?x=1' } },
      { request: at('/b'), expect: { backend: 'app-b', path: '/b' } },
      { request: at('/c'), expect: { status: 404 } },
      { request: at('/a', 'elsewhere.e2e.example'), expect: { status: 404 } },
    ]);
    const pods = new Set((await ctx.kube.podsOf(ctx.namespace, 'app=app-a')).map((p) => p.metadata?.name));
    expect(pods.has(responses[0].echo?.pod ?? ''), `answered by ${responses[0].echo?.pod}, a pod of app-a`).toBe(true);
  },
});
