// The kind provider as `vipcheck run` sees it: bring the environment up (or
// use the one that is up) and describe it for the scenarios.
import { templateVars } from '../local/addressing.ts';
import { planTopology } from '../local/topology.ts';
import type { RuntimeProvider } from '../local/runtime-provider.ts';
import { KindProvider } from './kind-provider.ts';

export async function kindRuntimeProvider(options: { nodes: number; log: (line: string) => void; id?: string }): Promise<RuntimeProvider> {
  const provider = await KindProvider.ensure({ workers: options.nodes, log: options.log, id: options.id });
  return describeKindEnvironment(provider);
}

/** The runtime description of a running kind environment. */
export function describeKindEnvironment(provider: KindProvider): RuntimeProvider {
  const { state } = provider;
  return {
    kubeconfig: provider.kubeconfigPath,
    kubernetesVersion: provider.kubernetesVersion,
    nodes: provider.nodes(),
    tor: provider.torAccess,
    ibgpRouter: provider.ibgpRouterAccess,
    ibgpNodes: provider.ibgpNodes,
    // kind names each node container after its Node.
    nodeContainers: Object.fromEntries(provider.nodes().map((n) => [n.name, n.name])),
    vars: {
      // Pools, ASNs and labels are the local provider's; the routers' and the client's addresses are this network's.
      ...templateVars(planTopology(state.workers)),
      torAddress: state.tor.address,
      ibgpRouterAddress: state.ibgpRouter.address,
      clientAddress: state.clientAddress,
    },
  };
}
