import { scenario } from '../../harness/scenario/define.ts';
import type { HttpRequest, HttpResponse } from '../../harness/traffic/client.ts';
import { describeTally, tally, type Tally } from './spread.ts';

// Design: "web" selects a Ready pod (steady) and a pod that starts un-Ready
// (late). The late pod is reachable on its own through a second Service that
// publishes not-ready addresses, so its readiness switch can be flipped from
// outside. The scenario fails if any request to web reaches late while it is
// not Ready, or if it never gets traffic once Ready.
scenario({
  id: 'ingress-endpoints-readiness',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'a pod that is not Ready gets no traffic; when it becomes Ready it does, and when it stops being Ready it no longer does',
  fixtures: ['ingress/endpoints-readiness.yaml'],
  async run(ctx) {
    await ctx.kube.waitForDeployment(ctx.namespace, 'steady', ctx.timeoutMs * 2);
    const address = ctx.ingressAddress();
    const web: HttpRequest = { address, host: 'endpoints-readiness.example', path: '/' };
    const control = (path: string, method = 'GET'): HttpRequest => ({ address, host: 'control.endpoints-readiness.example', path, method });
    const servedBy = (t: Tally) => [...t.services.keys()].sort().join(',');
    // The echo's readiness endpoint answers {"ready":…} (503 while not Ready); a POST sets it.
    const saysReady = (ready: boolean) => (r: HttpResponse) => (r.text.includes(`"ready":${ready}`) ? undefined : `the late pod answered ${JSON.stringify(r.text.slice(0, 100))}, want {"ready":${ready}}`);

    await ctx.expectHttp('the late pod runs un-Ready', [{ request: control('/_vipcheck/ready'), expect: { status: 503, check: saysReady(false) } }]);
    // Batches, not single requests: every controller replica must have converged before the strict round.
    await ctx.eventually('web to be served by steady alone', async () => {
      const t = await tally(web, 20);
      return { ok: t.failures.length === 0 && servedBy(t) === 'steady', observed: describeTally(t) };
    });
    const unready = await tally(web, 40);
    if (unready.failures.length || servedBy(unready) !== 'steady') throw new Error(`while late was not Ready, 40 requests to web were ${describeTally(unready)}; want all from steady`);

    await ctx.expectHttp('late made Ready', [{ request: control('/_vipcheck/ready?value=true', 'POST'), expect: { check: saysReady(true) } }]);
    await ctx.eventually('the Ready late pod to get traffic', async () => {
      const t = await tally(web, 20);
      return { ok: t.failures.length === 0 && servedBy(t) === 'late,steady', observed: describeTally(t) };
    });

    await ctx.expectHttp('late made un-Ready again', [{ request: control('/_vipcheck/ready?value=false', 'POST'), expect: { check: saysReady(false) } }]);
    await ctx.eventually('the un-Ready late pod to get no traffic', async () => {
      const t = await tally(web, 20);
      return { ok: t.failures.length === 0 && servedBy(t) === 'steady', observed: describeTally(t) };
    });
  },
});
