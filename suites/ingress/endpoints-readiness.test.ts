import { scenario } from '../../harness/scenario/define.ts';
import type { HttpRequest, HttpResponse } from '../../harness/traffic/client.ts';
import { deploymentReady } from '../shared/deployments.ts';
import { describeTally, tally, type Tally } from '../shared/spread.ts';

// Design: "web" selects a Ready pod (steady) and a pod (late) whose readiness
// probe asks a separate "switch" echo, which the scenario flips through the
// ingress — so late's readiness changes while late itself keeps running and
// would answer any request sent to it. The scenario fails if any request to
// web reaches late while it is not Ready, or if late never gets traffic once
// Ready, or keeps getting it once un-Ready again.
scenario({
  id: 'ingress-endpoints-readiness',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'a pod that is not Ready gets no traffic; when it becomes Ready it does, and when it stops being Ready it no longer does',
  fixtures: ['ingress/endpoints-readiness.yaml'],
  async run(ctx) {
    const switchService = await ctx.kube.core.readNamespacedService({ namespace: ctx.namespace, name: 'switch' });
    await ctx.apply('ingress/endpoints-readiness-late.yaml', { switchAddress: switchService.spec!.clusterIP! });
    await Promise.all([deploymentReady(ctx, 'steady'), deploymentReady(ctx, 'switch')]);
    await ctx.eventually('the late pod to run, not Ready', async () => {
      const [pod] = await ctx.kube.podsOf(ctx.namespace, 'app=late');
      const ready = pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      return { ok: pod?.status?.phase === 'Running' && ready === 'False', observed: `phase ${pod?.status?.phase}, Ready ${ready}` };
    });

    const address = ctx.ingressAddress();
    const web: HttpRequest = { address, host: 'endpoints-readiness.example', path: '/' };
    const flip = (value: boolean): HttpRequest => ({ address, host: 'switch.endpoints-readiness.example', path: `/_vipcheck/ready?value=${value}`, method: 'POST' });
    const says = (value: boolean) => ({ check: (r: HttpResponse) => (r.text.includes(`"ready":${value}`) ? undefined : `the switch answered ${JSON.stringify(r.text.slice(0, 100))}`) });
    const servedBy = (t: Tally) => [...t.services.keys()].sort().join(',');
    const servedOnlyBy = (services: string) => async () => {
      const t = await tally(web, 20);
      return { ok: t.failures.length === 0 && servedBy(t) === services, observed: describeTally(t) };
    };

    // Batches, not single requests: every controller replica must have converged before the strict round.
    await ctx.eventually('web to be served by steady alone', servedOnlyBy('steady'));
    const unready = await tally(web, 40);
    if (unready.failures.length || servedBy(unready) !== 'steady') throw new Error(`while late was not Ready, 40 requests to web were ${describeTally(unready)}; want all from steady`);

    await ctx.expectHttp('late made Ready', [{ request: flip(true), expect: says(true) }]);
    await ctx.eventually('the Ready late pod to get traffic', servedOnlyBy('late,steady'));

    await ctx.expectHttp('late made un-Ready again', [{ request: flip(false), expect: says(false) }]);
    await ctx.eventually('the un-Ready late pod to get no traffic', servedOnlyBy('steady'));
  },
});
