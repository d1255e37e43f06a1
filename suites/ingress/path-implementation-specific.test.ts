import { scenario } from '../../harness/scenario/define.ts';
import type { ScenarioContext } from '../../harness/scenario/context.ts';

/** What a target documents pathType ImplementationSpecific to mean: like Prefix, or like Exact. */
type Documented = 'prefix' | 'exact';

// Read from the target's ingress part (`implementationSpecific`); a target
// claiming the feature without saying what it means cannot be checked.
function documented(ctx: ScenarioContext): Documented {
  const hint = (ctx.target.ingress as { implementationSpecific?: unknown } | undefined)?.implementationSpecific;
  if (hint === 'prefix' || hint === 'exact') return hint;
  throw new Error(`target ${ctx.target.name} claims ingress-path-implementation-specific but does not document its behaviour: set ingress.implementationSpecific to "prefix" or "exact" (got ${JSON.stringify(hint)})`);
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
