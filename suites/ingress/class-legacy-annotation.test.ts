import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-class-legacy-annotation',
  suite: 'ingress',
  feature: 'ingress-class-annotation',
  description: "the kubernetes.io/ingress.class annotation naming the target's class is honoured; naming another class is not served",
  fixtures: ['ingress/class-legacy-annotation.yaml'],
  async run(ctx) {
    await ctx.echoBackend('app');
    const host = (name: string) => ({ address: ctx.ingressAddress(), host: name, path: '/' });
    await ctx.expectHttp('the legacy class annotation', [
      { request: host('legacy.class-legacy-annotation.example'), expect: { backend: 'app' } },
      { request: host('foreign.class-legacy-annotation.example'), expect: { status: 404 } },
    ]);
  },
});
