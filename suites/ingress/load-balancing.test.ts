import { scenario } from '../../harness/scenario/define.ts';
import { describeTally, livePods, servedExactly, tally } from '../shared/spread.ts';

scenario({
  id: 'ingress-load-balancing',
  suite: 'ingress',
  feature: 'ingress-core',
  description: '10 replicas, 100 requests: every response 200 and all 10 pods served',
  fixtures: ['ingress/load-balancing.yaml'],
  async run(ctx) {
    const request = { address: ctx.ingressAddress(), host: 'load-balancing.example', path: '/' };
    await ctx.echoBackend('app', 10);
    const pods = await livePods(ctx, 'app');
    if (pods.length !== 10) throw new Error(`the Deployment is ready but ${pods.length} pods run: ${pods.join(', ')}`);
    // Wait until the controller knows every endpoint …
    await ctx.eventually('all 10 pods to be served', async () => {
      const t = await tally(request, 100);
      return { ok: t.failures.length === 0 && servedExactly(t, pods), observed: describeTally(t) };
    }, { consecutive: 1 });
    // … then the measurement itself, which must hold at once.
    const t = await tally(request, 100);
    if (t.failures.length || !servedExactly(t, pods)) throw new Error(`100 requests were ${describeTally(t)}; want all 200 and every one of ${pods.join(', ')}`);
  },
});
