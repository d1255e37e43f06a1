import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-host-exact',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'rule host foo.bar reaches its backend; a sibling (subdomain.bar), a subdomain and the parent get 404',
  fixtures: ['ingress/host-exact.yaml'],
  async run(ctx) {
    await ctx.echoBackend('foo');
    const host = (name: string) => ({ address: ctx.ingressAddress(), host: name, path: '/' });
    await ctx.expectHttp('an exact rule host', [
      { request: host('foo.bar.host-exact.example'), expect: { backend: 'foo' } },
      { request: host('FOO.bar.host-exact.example'), expect: { backend: 'foo' } }, // host names are case-insensitive
      { request: host('foo.bar.host-exact.example:80'), expect: { backend: 'foo' } }, // the port is not part of the host
      { request: host('subdomain.bar.host-exact.example'), expect: { status: 404 } },
      { request: host('x.foo.bar.host-exact.example'), expect: { status: 404 } },
      { request: host('bar.host-exact.example'), expect: { status: 404 } },
    ]);
  },
});
