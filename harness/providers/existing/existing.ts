// The existing provider: a cluster the user already has, reached with their
// kubeconfig. BGP scenarios run only with a BGP access file (--bgp-access)
// saying how to reach the routers; without one they are not-supported.
// Fixture addresses default to the local provider's plan (right for a
// cluster that `vipcheck up` left running).
import { Kube } from '../../kube/client.ts';
import type { RuntimeProvider } from '../local/runtime-provider.ts';
import { planTopology } from '../local/topology.ts';
import { templateVars } from '../local/addressing.ts';
import { loadBgpAccess, type BgpAccess } from './bgp-access.ts';

export async function existingRuntimeProvider(options: { kubeconfig: string; bgpAccess?: string; log: (line: string) => void }): Promise<RuntimeProvider> {
  // Read first: a bad file is refused before anything touches the cluster.
  const access = options.bgpAccess ? loadBgpAccess(options.bgpAccess) : undefined;
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
  const names = nodes.map((n) => n.name);
  if (access) checkNodesNamed(access, names, options.bgpAccess!);
  const bgp = access
    ? `BGP access from ${options.bgpAccess}: TOR ${access.tor.address} (AS ${access.tor.asn})${access.ibgpRouter ? `, iBGP router ${access.ibgpRouter.address}` : ''}${access.nodeLinks ? '' : '; no node links: node-loss scenarios are not-supported'}`
    : 'no TOR access: BGP scenarios are not-supported (give --bgp-access FILE)';
  options.log(`existing cluster: ${nodes.length} nodes (${names.join(', ')}), Kubernetes ${version}; ${bgp}`);
  return { kubeconfig: options.kubeconfig, kubernetesVersion: version, nodes, ...access, vars: templateVars(planTopology(Math.max(1, nodes.length))) };
}

/** Node names in the access file must be the cluster's: a typo would silently skip a node. */
function checkNodesNamed(access: BgpAccess, nodes: string[], source: string): void {
  for (const [field, named] of [['ibgpNodes', access.ibgpNodes ?? []], ['nodeLinks', Object.keys(access.nodeLinks ?? {})]] as const) {
    const unknown = named.filter((n) => !nodes.includes(n));
    if (unknown.length) throw new Error(`${source}: ${field}: no such node in the cluster: ${unknown.join(', ')} (nodes: ${nodes.join(', ')})`);
  }
}
