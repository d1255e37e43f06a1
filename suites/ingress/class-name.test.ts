import { setTimeout as sleep } from 'node:timers/promises';
import { scenario } from '../../harness/scenario/define.ts';
import { send } from '../../harness/traffic/client.ts';

scenario({
  id: 'ingress-class-name',
  suite: 'ingress',
  feature: 'ingress-core',
  description: "an Ingress with the target's ingressClassName is served and gets status; one of another class is never served and never gets status",
  async run(ctx) {
    ctx.defer(() => ctx.kube.deleteObject({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: `${ctx.namespace}-other` } }));
    await ctx.apply('ingress/class-name.yaml');
    await ctx.echoBackend('app');
    const host = (name: string) => ({ address: ctx.ingressAddress(), host: name, path: '/' });
    await ctx.expectHttp('only the Ingress of our class is served', [
      { request: host('ours.class-name.example'), expect: { backend: 'app' } },
      { request: host('foreign.class-name.example'), expect: { status: 404 } },
    ]);
    const status = async (name: string) =>
      (await ctx.kube.networking.readNamespacedIngress({ namespace: ctx.namespace, name })).status?.loadBalancer?.ingress ?? [];
    await ctx.eventually('our Ingress to get status', async () => {
      const entries = await status('ours');
      return { ok: entries.length > 0, observed: JSON.stringify(entries) };
    });

    // The controller has written our status, so it has seen both Ingresses: the foreign one must stay untouched.
    for (let i = 0; i < 10; i++) {
      const response = await send(host('foreign.class-name.example'));
      if (response.status !== 404) throw new Error(`the foreign-class Ingress's host answered ${response.status} (round ${i + 1} of 10, after our Ingress got status), want 404`);
      await sleep(200);
    }
    const foreign = await status('foreign');
    if (foreign.length) throw new Error(`the foreign-class Ingress got status from the target: ${JSON.stringify(foreign)}`);
  },
});
