import { scenario } from '../../harness/scenario/define.ts';
import { copyOfPublishedService, httpPort } from '../shared/ingress-controller.ts';

scenario({
  id: 'e2e-access-nodeport',
  suite: 'e2e',
  feature: 'ingress-core',
  requires: ['lb-bgp'],
  description: 'the controller is reached through a NodePort on every node address, from outside through the TOR',
  async run(ctx) {
    await ctx.echoBackend('app');
    await ctx.apply('e2e/ingress.yaml', { name: 'nodeport', host: 'nodeport.e2e.example', backend: 'app' });
    const service = await copyOfPublishedService(ctx, { type: 'NodePort', externalTrafficPolicy: 'Cluster' });
    const nodePort = httpPort(service).nodePort;
    if (!nodePort) throw new Error(`the NodePort copy ${service.metadata?.namespace}/${service.metadata?.name} has no nodePort on its HTTP port`);
    ctx.log(`controller NodePort ${nodePort}`);
    await ctx.expectHttp(`the controller on port ${nodePort} of every node`, ctx.runtime.provider.nodes.map((node) => ({
      request: { address: node.address, port: nodePort, host: 'nodeport.e2e.example', path: `/via/${node.name}` },
      expect: { backend: 'app', path: `/via/${node.name}` },
    })));
  },
});
