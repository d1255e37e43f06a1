import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-merge-ingresses',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'two Ingresses for the same host with different paths are both served',
  fixtures: ['ingress/merge-ingresses.yaml'],
  async run(ctx) {
    await Promise.all([ctx.echoBackend('a'), ctx.echoBackend('b')]);
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: 'merge-ingresses.example', path });
    await ctx.expectHttp('both Ingresses of one host', [
      { request: at('/a'), expect: { backend: 'a' } },
      { request: at('/b/x'), expect: { backend: 'b' } },
      { request: at('/c'), expect: { status: 404 } },
    ]);
  },
});
