import { scenario } from '../../harness/scenario/define.ts';

scenario({
  id: 'ingress-backend-port-name',
  suite: 'ingress',
  feature: 'ingress-core',
  description: 'a Service backend referenced by port name and by port number both reach (the port named, not the first one)',
  fixtures: ['ingress/backend-port-name.yaml'],
  async run(ctx) {
    await ctx.echoBackend('app');
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: 'backend-port-name.example', path });
    await ctx.expectHttp('backends by port name and number', [
      { request: at('/by-name'), expect: { backend: 'app' } },
      { request: at('/by-number'), expect: { backend: 'app' } },
    ]);
  },
});
