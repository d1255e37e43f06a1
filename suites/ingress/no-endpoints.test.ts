import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-no-endpoints',
  suite: 'ingress',
  feature: 'ingress-backend-unavailable',
  description: 'a Service with no ready endpoint gets 503; other routes are unaffected',
  fixtures: ['ingress/no-endpoints.yaml'],
  async run(ctx) {
    await Promise.all([ctx.echoBackend('empty', 0), ctx.echoBackend('app')]);
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: 'no-endpoints.example', path });
    await ctx.expectHttp('a backend without endpoints', [
      { request: at('/empty'), expect: { status: 503 } },
      { request: at('/ok'), expect: { backend: 'app' } },
    ]);
  },
});
