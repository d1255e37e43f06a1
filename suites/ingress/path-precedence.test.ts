import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-path-precedence',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'the longest matching path wins; Exact beats Prefix for the same path; / catches the rest',
  fixtures: ['ingress/path-precedence.yaml'],
  async run(ctx) {
    await Promise.all(['root', 'foo', 'foo-bar', 'exact'].map((name) => ctx.echoBackend(name)));
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: 'path-precedence.example', path });
    await ctx.expectHttp('path precedence', [
      { request: at('/foo'), expect: { backend: 'exact' } },
      { request: at('/foo/'), expect: { backend: 'foo' } },
      { request: at('/foo/baz'), expect: { backend: 'foo' } },
      { request: at('/foo/bar'), expect: { backend: 'foo-bar' } },
      { request: at('/foo/bar/baz'), expect: { backend: 'foo-bar' } },
      { request: at('/foobar'), expect: { backend: 'root' } },
      { request: at('/'), expect: { backend: 'root' } },
      { request: at('/other'), expect: { backend: 'root' } },
    ]);
  },
});
