import { scenario } from '../../harness/scenario/define.ts';
import type { ScenarioContext } from '../../harness/scenario/context.ts';

// What the target documents ImplementationSpecific to mean (target validation requires it with the feature).
function documented(ctx: ScenarioContext): 'prefix' | 'exact' {
  const behaviour = ctx.target.ingress?.implementationSpecific;
  if (!behaviour) throw new Error(`target ${ctx.target.name} claims ingress-path-implementation-specific but sets no ingress.implementationSpecific ("prefix" or "exact")`);
  return behaviour;
}

scenario({
  id: 'ingress-path-implementation-specific',
  suite: 'ingress',
  feature: 'ingress-path-implementation-specific',
  description: 'ImplementationSpecific /foo behaves as the target documents (like Prefix or like Exact)',
  fixtures: ['ingress/path-implementation-specific.yaml'],
  async run(ctx) {
    const behaviour = documented(ctx);
    await ctx.echoBackend('foo');
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: 'path-implementation-specific.example', path });
    const subpath = behaviour === 'prefix' ? { backend: 'foo' } : { status: 404 };
    await ctx.expectHttp(`ImplementationSpecific /foo, documented as ${behaviour}`, [
      { request: at('/foo'), expect: { backend: 'foo' } },
      { request: at('/foo/'), expect: subpath },
      { request: at('/foo/bar'), expect: subpath },
      { request: at('/foobar'), expect: { status: 404 } },
      { request: at('/bar'), expect: { status: 404 } },
    ]);
  },
});
