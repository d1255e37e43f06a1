import { scenario } from '../../harness/scenario/define.ts';

// Disruptive: while its IngressClass is the cluster's default, every class-less Ingress is the target's.
scenario({
  id: 'ingress-class-default',
  suite: 'ingress',
  feature: 'ingress-class-default',
  disruptive: true,
  description: 'an IngressClass of the target annotated is-default-class makes class-less Ingresses served, those made before and after it became default',
  async run(ctx) {
    const classes = await ctx.kube.networking.listIngressClass();
    const defaults = classes.items.filter((c) => c.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
    if (defaults.length) throw new Error(`the cluster already has a default IngressClass (${defaults.map((c) => c.metadata?.name).join(', ')}): this scenario needs to be the one that makes one`);
    const controller = ctx.target.ingress!.controllerName;
    ctx.defer(() => ctx.kube.deleteObject({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: `${ctx.namespace}-default` } }));

    await ctx.apply('ingress/class-default.yaml', { controller, isDefault: 'false', ingressName: 'early' });
    await ctx.echoBackend('app');
    const host = (name: string) => ({ address: ctx.ingressAddress(), host: `${name}.class-default.example`, path: '/' });
    await ctx.expectHttp('a class-less Ingress is not served while no class is default', [
      { request: host('early'), expect: { status: 404 } },
    ]);

    await ctx.apply('ingress/class-default.yaml', { controller, isDefault: 'true', ingressName: 'early' });
    await ctx.apply('ingress/class-default.yaml', { controller, isDefault: 'true', ingressName: 'later' });
    await ctx.expectHttp('class-less Ingresses are served once the class is default', [
      { request: host('early'), expect: { backend: 'app' } },
      { request: host('later'), expect: { backend: 'app' } },
    ]);
  },
});
