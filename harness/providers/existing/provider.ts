// The existing provider: a cluster the user already has, reached with their
// kubeconfig. BGP scenarios run only with a BGP access file (--bgp-access)
// saying how to reach the routers, node-loss ones only when that file names
// the nodes' links; without them they are not-supported. Fixture addresses
// default to the local provider's plan (right for a cluster that
// `vipcheck up` left running). vipcheck neither makes nor removes the cluster.
import { Kube } from '../../kube/client.ts';
import type { Capabilities, ClusterNode, Environment, Provider } from '../provider.ts';
import { describeBgpAccess, loadBgpAccess, type BgpAccess } from '../common/bgp-access.ts';
import { apiServerOf } from '../common/kubeconfig.ts';
import { nodeVersionCheck } from '../common/node-version.ts';
import { planTopology } from '../local/topology.ts';
import { templateVars } from '../local/addressing.ts';

const NONE: Capabilities = { bgpAccess: false, canCutNode: false, canPauseNode: false, layer2Client: false, ipFamilies: ['ipv4'] };

export const provider: Provider = {
  summary: 'a cluster you already have (--kubeconfig); BGP scenarios with --bgp-access FILE',
  capabilities: { ...NONE, bgpAccess: true, canCutNode: true },
  conditions: { bgpAccess: 'with --bgp-access FILE', canCutNode: 'when that file has nodeLinks' },
  flags: { kubeconfig: 'required', 'bgp-access': 'optional' },
  // The cluster is given, not made: the machine needs only what vipcheck itself needs.
  doctor: async () => [nodeVersionCheck()],
  cluster: ({ kubeconfig }) => apiServerOf(kubeconfig!),
  attach: ({ kubeconfig, bgpAccess, log }) => attachExisting({ kubeconfig: kubeconfig!, bgpAccess, log }),
};

async function attachExisting(options: { kubeconfig: string; bgpAccess?: string; log: (line: string) => void }): Promise<Environment> {
  // Read first: a bad file is refused before anything touches the cluster.
  const access = options.bgpAccess ? loadBgpAccess(options.bgpAccess) : undefined;
  const kube = new Kube(options.kubeconfig);
  let nodes: ClusterNode[];
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
  const { capabilities: given, ...described } = access ? describeBgpAccess(access) : { capabilities: {} };
  const capabilities = { ...NONE, ...given };
  return {
    description: {
      name: 'existing',
      kubeconfig: options.kubeconfig,
      kubernetesVersion: version,
      nodes,
      ...described,
      capabilities,
      unsupported: {
        ...(capabilities.bgpAccess ? {} : { bgpAccess: 'no BGP access file given (--bgp-access FILE)' }),
        ...(capabilities.canCutNode ? {} : { canCutNode: access ? `${options.bgpAccess} names no nodeLinks` : 'no BGP access file given (--bgp-access FILE, with nodeLinks)' }),
        canPauseNode: 'vipcheck does not own the nodes of an existing cluster',
      },
    },
    vars: templateVars(planTopology(Math.max(1, nodes.length))),
    // The cluster is the user's: its logs are where they keep them.
    collectLogs: async () => {},
  };
}

/** Node names in the access file must be the cluster's: a typo would silently skip a node. */
function checkNodesNamed(access: BgpAccess, nodes: string[], source: string): void {
  for (const [field, named] of [['ibgpNodes', access.ibgpNodes ?? []], ['nodeLinks', Object.keys(access.nodeLinks ?? {})]] as const) {
    const unknown = named.filter((n) => !nodes.includes(n));
    if (unknown.length) throw new Error(`${source}: ${field}: no such node in the cluster: ${unknown.join(', ')} (nodes: ${nodes.join(', ')})`);
  }
}
