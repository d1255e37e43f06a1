// The existing provider: a cluster the user already has, reached with their
// kubeconfig. No TOR access, so BGP scenarios are not-supported; fixture
// addresses default to the local provider's plan (right for a cluster that
// `vipcheck up` left running).
import { Kube } from '../../kube/client.ts';
import type { RuntimeProvider } from '../local/runtime-provider.ts';
import { planTopology } from '../local/topology.ts';
import { templateVars } from '../local/addressing.ts';

export async function existingRuntimeProvider(options: { kubeconfig: string; log: (line: string) => void }): Promise<RuntimeProvider> {
  const kube = new Kube(options.kubeconfig);
  let nodes;
  let version;
  try {
    const list = await kube.core.listNode();
    nodes = list.items.map((n) => ({
      name: n.metadata!.name!,
      address: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
    }));
    version = list.items[0]?.status?.nodeInfo?.kubeletVersion ?? 'unknown';
  } catch (error) {
    throw new Error(`--provider existing: cannot list Nodes with ${options.kubeconfig}: ${(error as Error).message}`);
  }
  if (nodes.length === 0) throw new Error(`--provider existing: the cluster of ${options.kubeconfig} has no Nodes`);
  options.log(`existing cluster: ${nodes.length} nodes (${nodes.map((n) => n.name).join(', ')}), Kubernetes ${version}; no TOR access: BGP scenarios are not-supported`);
  return { kubeconfig: options.kubeconfig, kubernetesVersion: version, nodes, vars: templateVars(planTopology(Math.max(1, nodes.length))) };
}
