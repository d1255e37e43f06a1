import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-update-rules',
  suite: 'ingress',
  feature: 'ingress-core',
  description: "changing a rule's backend, then its path, takes effect eventually; the old path then gets 404",
  async run(ctx) {
    await ctx.apply('ingress/update-rules.yaml', { path: '/old', backend: 'a' });
    await Promise.all([ctx.echoBackend('a'), ctx.echoBackend('b')]);
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: 'update-rules.example', path });
    await ctx.expectHttp('/old → a', [
      { request: at('/old'), expect: { backend: 'a' } },
      { request: at('/new'), expect: { status: 404 } },
    ]);

    await ctx.apply('ingress/update-rules.yaml', { path: '/old', backend: 'b' });
    // The scenario's convergence: an edited rule taking effect. Fresh connections spread
    // the polls over the controller's replicas: one pooled socket would test only one.
    await ctx.expectHttp('the backend changed: /old → b', [
      { request: at('/old'), expect: { backend: 'b' } },
    ], { convergence: 'ruleUpdated', freshConnections: true });

    await ctx.apply('ingress/update-rules.yaml', { path: '/new', backend: 'b' });
    await ctx.expectHttp('the path changed: /new → b, /old gone', [
      { request: at('/new'), expect: { backend: 'b' } },
      { request: at('/old'), expect: { status: 404 } },
    ], { freshConnections: true });
  },
});
