import { scenario } from '../../harness/scenario/define.ts';
import { describeTally, livePods, servedExactly, tally } from '../shared/spread.ts';

scenario({
  id: 'ingress-endpoints-scale',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'scaling the backend 1→5 eventually spreads requests over all 5 pods; scaling 5→1 loses no request to a removed pod once converged',
  fixtures: ['ingress/endpoints-scale.yaml'],
  async run(ctx) {
    const request = { address: ctx.ingressAddress(), host: 'endpoints-scale.example', path: '/' };
    await ctx.echoBackend('app', 1);
    await ctx.expectHttp('one pod serves', [{ request, expect: { backend: 'app' } }]);

    await ctx.echoBackend('app', 5);
    const five = await livePods(ctx, 'app');
    await ctx.eventually(`requests to spread over all 5 pods (${five.join(', ')})`, async () => {
      const t = await tally(request, 50);
      return { ok: t.failures.length === 0 && servedExactly(t, five), observed: describeTally(t) };
    }, { convergence: 'scaledOut' });

    await ctx.echoBackend('app', 1);
    const one = await livePods(ctx, 'app');
    await ctx.eventually(`requests to reach only the remaining pod ${one.join(', ')}`, async () => {
      const t = await tally(request, 20);
      return { ok: t.failures.length === 0 && servedExactly(t, one), observed: describeTally(t) };
    });
    // Converged: from here on, not one request may fail or reach a removed pod.
    const after = await tally(request, 100);
    if (after.failures.length || !servedExactly(after, one)) throw new Error(`after scaling to 1 had converged, 100 requests were ${describeTally(after)}; want all 200 from ${one.join(', ')}`);
  },
});
