import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { installControllerInstance } from '../shared/ingress-controller.ts';
import { addressOf } from '../shared/lb-services.ts';

const SECOND_HOST_PORT = 18081;

scenario({
  id: 'e2e-two-controllers',
  suite: 'e2e',
  feature: 'ingress-core',
  requires: ['lb-bgp'],
  description: 'two controllers with two IngressClasses, each behind its own VIP, each serve and write status for only their own Ingresses',
  async run(ctx) {
    await Promise.all([ctx.echoBackend('first-app'), ctx.echoBackend('second-app')]);
    // Its hostPort is unused here; it differs from e2e-access-hostport's, which may run at the same time.
    await installControllerInstance(ctx, 'second-proxy', SECOND_HOST_PORT);
    await ctx.apply('e2e/two-controllers.yaml');
    const first = ctx.ingressAddress();
    const second = await addressOf(ctx, 'second-proxy');
    expect(second, 'each controller has its own VIP').not.toBe(first);

    const at = (address: string, host: string) => ({ address, host, path: '/' });
    await ctx.expectHttp('each VIP answers from its own class\'s Ingresses only', [
      { request: at(first, 'both.e2e.example'), expect: { backend: 'first-app' } },
      { request: at(second, 'both.e2e.example'), expect: { backend: 'second-app' } },
      { request: at(first, 'first-only.e2e.example'), expect: { backend: 'first-app' } },
      { request: at(second, 'second-only.e2e.example'), expect: { backend: 'second-app' } },
      { request: at(first, 'second-only.e2e.example'), expect: { status: 404 } },
      { request: at(second, 'first-only.e2e.example'), expect: { status: 404 } },
    ]);
    await ctx.eventually('each Ingress\'s status to carry its own controller\'s VIP', async () => {
      const read = async (name: string) => (await ctx.kube.networking.readNamespacedIngress({ namespace: ctx.namespace, name })).status?.loadBalancer?.ingress?.map((i) => i.ip) ?? [];
      const [a, b] = await Promise.all([read('first'), read('second')]);
      return { ok: a.length === 1 && a[0] === first && b.length === 1 && b[0] === second, observed: { first: a, second: b } };
    });
  },
});
