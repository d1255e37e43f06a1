import { scenario } from '../../harness/scenario/define.ts';
import { copyOfPublishedService, httpPort } from '../shared/ingress-controller.ts';
import { addressOf } from '../shared/lb-services.ts';
import { nodesWithReadyEndpoints } from '../shared/nodes.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';
import { runVar } from '../shared/run-vars.ts';

scenario({
  id: 'e2e-client-ip-preserved',
  suite: 'e2e',
  feature: 'ingress-core',
  requires: ['lb-bgp', 'ingress-forwarded-headers'],
  description: 'with externalTrafficPolicy Local on the controller\'s LoadBalancer Service, the backend sees the outside client\'s address in X-Forwarded-For',
  async run(ctx) {
    const client = runVar(ctx, 'clientAddress');
    await ctx.echoBackend('app');
    await ctx.apply('e2e/ingress.yaml', { name: 'client-ip', host: 'client-ip.e2e.example', backend: 'app' });
    // Our own Local copy of the controller's Service, so the shared one keeps its policy.
    const local = await copyOfPublishedService(ctx, { type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    const { name, namespace } = local.metadata as { name: string; namespace: string };
    const vip = await addressOf(ctx, name, namespace);
    await expectRoute(ctx, hostPrefix(vip), () => nodesWithReadyEndpoints(ctx, name, namespace));

    await ctx.expectHttp(`the backend to see ${client} as the client`, [{
      request: { address: vip, port: httpPort(local).port, host: 'client-ip.e2e.example', headers: { connection: 'close' } },
      expect: {
        backend: 'app',
        check: (r) => {
          const xff = (r.echo?.headers['x-forwarded-for'] ?? []).join(',').split(',').map((s) => s.trim()).filter(Boolean);
          return xff[0] === client ? undefined : `X-Forwarded-For ${JSON.stringify(xff)}, want ${client} first`;
        },
      },
    }]);
  },
});
