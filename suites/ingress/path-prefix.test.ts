import { scenario } from '../../harness/scenario/define.ts';
import type { HttpCase } from '../../harness/traffic/expect.ts';

scenario({
  id: 'ingress-path-prefix',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'every Prefix row of the Kubernetes path-matching table: element-wise, trailing slashes ignored, /aaa/bbbxyz does not match /aaa/bbb, case-sensitive',
  fixtures: ['ingress/path-prefix.yaml'],
  async run(ctx) {
    await Promise.all(['a', 'b', 'c'].map((name) => ctx.echoBackend(name)));
    // A row's host is named after its rule paths (see the fixture).
    const reaches = (row: string, path: string, backend: string): HttpCase =>
      ({ request: { address: ctx.ingressAddress(), host: `${row}.path-prefix.example`, path }, expect: { backend, path } });
    const notFound = (row: string, path: string): HttpCase =>
      ({ request: { address: ctx.ingressAddress(), host: `${row}.path-prefix.example`, path }, expect: { status: 404 } });
    await ctx.expectHttp('the Prefix rows of the path-matching table', [
      reaches('root', '/', 'a'), // "/" matches every path
      reaches('root', '/any/path?q=1', 'a'),
      reaches('foo', '/foo', 'a'),
      reaches('foo', '/foo/', 'a'),
      notFound('foo', '/foobar'),
      reaches('foo-slash', '/foo', 'a'),
      reaches('foo-slash', '/foo/', 'a'),
      notFound('aaa-bb', '/aaa/bbb'),
      reaches('aaa-bbb', '/aaa/bbb', 'a'),
      reaches('aaa-bbb', '/aaa/bbb/', 'a'),
      reaches('aaa-bbb', '/aaa/bbb/ccc', 'a'),
      notFound('aaa-bbb', '/aaa/bbbxyz'),
      notFound('aaa-bbb', '/AAA/bbb'),
      notFound('aaa-bbb', '/aaa/BBB'),
      reaches('aaa-bbb-slash', '/aaa/bbb', 'a'),
      reaches('root-aaa', '/aaa/ccc', 'b'),
      reaches('root-aaa-bbb', '/aaa/bbb', 'c'),
      reaches('root-aaa-bbb', '/ccc', 'a'),
      notFound('aaa', '/ccc'),
    ]);
  },
});
