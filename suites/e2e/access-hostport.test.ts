import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { scenario } from '../../harness/scenario/define.ts';
import { controllerHostPort, installControllerInstance } from '../shared/ingress-controller.ts';
import { expectNoAnswer } from '../shared/no-answer.ts';

// For a scenario-owned instance of the controller: outside the NodePort range, so kube-proxy never claims it.
const OWN_HOST_PORT = 18080;
const HOST = 'hostport.e2e.example';

scenario({
  id: 'e2e-access-hostport',
  suite: 'e2e',
  feature: 'ingress-core',
  requires: ['lb-bgp'],
  description: 'the controller is reached through its hostPort on the nodes that run it, from outside through the TOR, and not on the other nodes',
  async run(ctx) {
    await ctx.echoBackend('app');
    // The target's own controller when it declares a hostPort; else an instance of it of the scenario's own.
    const targets = await controllerHostPort(ctx);
    const { port, nodes: running } = targets ?? (await ownHostPortController(ctx));
    await ctx.apply('e2e/ingress.yaml', { name: 'hostport', host: HOST, backend: 'app', ...(targets ? {} : { ingressClass: ctx.namespace }) });
    ctx.log(`controller on hostPort ${port} of ${running.join(', ')}`);
    const nodes = ctx.runtime.provider.nodes;

    await ctx.expectHttp(`the controller on hostPort ${port} of every node that runs it`, nodes.filter((n) => running.includes(n.name)).map((node) => ({
      request: { address: node.address, port, host: HOST, path: `/on/${node.name}` },
      expect: { backend: 'app', path: `/on/${node.name}` },
    })));
    for (const node of nodes.filter((n) => !running.includes(n.name))) {
      await expectNoAnswer(ctx, `nothing to answer on ${node.address}:${port} (${node.name} runs no controller)`, { address: node.address, port, host: HOST }, { consecutive: 1 });
    }
  },
});

async function ownHostPortController(ctx: ScenarioContext): Promise<{ port: number; nodes: string[] }> {
  await installControllerInstance(ctx, 'hostport-proxy', OWN_HOST_PORT);
  const pods = await ctx.kube.podsOf(ctx.namespace, 'app=hostport-proxy');
  return { port: OWN_HOST_PORT, nodes: pods.map((p) => p.spec!.nodeName!).filter(Boolean) };
}
