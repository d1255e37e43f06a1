import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-missing-service',
  suite: 'ingress',
  feature: 'ingress-backend-unavailable',
  description: 'a rule naming a Service that does not exist gets 503; other routes are unaffected',
  fixtures: ['ingress/missing-service.yaml'],
  async run(ctx) {
    await ctx.echoBackend('app');
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: 'missing-service.example', path });
    await ctx.expectHttp('a backend Service that does not exist', [
      { request: at('/missing'), expect: { status: 503 } },
      { request: at('/ok'), expect: { backend: 'app' } },
    ]);
  },
});
