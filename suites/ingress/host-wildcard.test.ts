import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-host-wildcard',
  suite: 'ingress',
  feature: 'ingress-core',
  description: '*.foo matches bar.foo (exactly one more label); baz.bar.foo and foo itself get 404',
  fixtures: ['ingress/host-wildcard.yaml'],
  async run(ctx) {
    await ctx.echoBackend('wild');
    const host = (name: string) => ({ address: ctx.ingressAddress(), host: name, path: '/' });
    await ctx.expectHttp('a wildcard rule host', [
      { request: host('bar.foo.host-wildcard.example'), expect: { backend: 'wild' } },
      { request: host('other.foo.host-wildcard.example'), expect: { backend: 'wild' } },
      { request: host('baz.bar.foo.host-wildcard.example'), expect: { status: 404 } },
      { request: host('foo.host-wildcard.example'), expect: { status: 404 } },
      { request: host('barfoo.host-wildcard.example'), expect: { status: 404 } },
    ]);
  },
});
