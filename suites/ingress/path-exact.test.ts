import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-path-exact',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'Exact /foo: /foo reaches its backend; /foo/, /FOO and /bar get 404',
  fixtures: ['ingress/path-exact.yaml'],
  async run(ctx) {
    await ctx.echoBackend('foo');
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: 'path-exact.example', path });
    await ctx.expectHttp('Exact /foo', [
      { request: at('/foo'), expect: { backend: 'foo', path: '/foo' } },
      { request: at('/foo?q=1'), expect: { backend: 'foo', path: '/foo?q=1' } },
      { request: at('/foo/'), expect: { status: 404 } },
      { request: at('/FOO'), expect: { status: 404 } },
      { request: at('/foo/bar'), expect: { status: 404 } },
      { request: at('/bar'), expect: { status: 404 } },
    ]);
  },
});
