import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-delete',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'after deleting an Ingress its routes eventually get 404 and the others still work',
  fixtures: ['ingress/delete.yaml'],
  async run(ctx) {
    await Promise.all([ctx.echoBackend('a'), ctx.echoBackend('b')]);
    const request = (host: string, path: string) => ({ address: ctx.ingressAddress(), host, path });
    await ctx.expectHttp('both Ingresses served', [
      { request: request('delete.example', '/kept'), expect: { backend: 'a' } },
      { request: request('delete.example', '/gone'), expect: { backend: 'b' } },
      { request: request('gone.delete.example', '/'), expect: { backend: 'b' } },
    ]);

    await ctx.kube.networking.deleteNamespacedIngress({ namespace: ctx.namespace, name: 'gone' });
    await ctx.expectHttp('the deleted Ingress no longer routes', [
      { request: request('delete.example', '/kept'), expect: { backend: 'a' } },
      { request: request('delete.example', '/gone'), expect: { status: 404 } },
      { request: request('gone.delete.example', '/'), expect: { status: 404 } },
    ], { convergence: 'ingressDeleted', freshConnections: true });
  },
});
