// The local provider's hosts and wires, as network namespaces:
//
//   root (outside client) ──vc-client── vc-tor ──bridge "fabric"── vc-cp (control plane)
//                                                            ├──── vc-node-1 ── pods (vc-pod-…)
//                                                            └──── vc-node-N
//
// The client reaches the cluster only through the TOR's routing. Addresses
// come from 198.18.0.0/15 (RFC 2544, benchmarking) and never leave the
// harness's own namespaces.
import { addAddress, addNetns, addVeth, deleteNetns, listNetns, replaceRoute, setSysctl, PREFIX } from '../../../lib/netns/netns.ts';
import { run } from '../../../lib/exec.ts';
import { assertNoOtherOwner, claimOwnership, releaseOwnership } from '../../../lib/netns/ownership.ts';
import { VIP_CIDR } from '../common/fixture-plan.ts';

export interface NodeHost {
  /** Kubernetes Node name and network namespace name (they are the same). */
  name: string;
  index: number;
  /** Address on the fabric: the Node's InternalIP and its BGP source address. */
  address: string;
  /** podCIDR of the node, e.g. 198.18.65.0/24. */
  podCidr: string;
  /** First address of the podCIDR: the pods' gateway, held by every pod veth on the node. */
  podGateway: string;
}

export interface TopologyPlan {
  tor: { netns: string; fabricAddress: string; clientAddress: string };
  controlPlane: { netns: string; address: string };
  client: { link: string; address: string };
  nodes: NodeHost[];
  fabricCidr: string;
  /** All pod CIDRs together (kube-proxy's --cluster-cidr). */
  clusterCidr: string;
  serviceCidr: string;
  /** The address of the `kubernetes` Service (first of serviceCidr). */
  kubernetesServiceIp: string;
  /** What the outside client routes through the TOR: the fabric, the VIP pools, everything of ours. */
  clientRoutes: string[];
  /** Where VIP pools are taken from by default (fixtures choose sub-ranges). */
  vipCidr: string;
}

export const MAX_NODES = 50;

export function planTopology(nodeCount: number): TopologyPlan {
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > MAX_NODES) {
    throw new Error(`--nodes must be an integer from 1 to ${MAX_NODES}, got ${nodeCount}`);
  }
  const nodes: NodeHost[] = [];
  for (let i = 1; i <= nodeCount; i++) {
    nodes.push({
      name: `${PREFIX}node-${i}`,
      index: i,
      address: `198.18.0.${10 + i}`,
      podCidr: `198.18.${64 + i}.0/24`,
      podGateway: `198.18.${64 + i}.1`,
    });
  }
  return {
    tor: { netns: `${PREFIX}tor`, fabricAddress: '198.18.0.1', clientAddress: '198.18.254.2' },
    controlPlane: { netns: `${PREFIX}cp`, address: '198.18.0.2' },
    client: { link: `${PREFIX}client`, address: '198.18.254.1' },
    nodes,
    fabricCidr: '198.18.0.0/24',
    clusterCidr: '198.18.64.0/18',
    serviceCidr: '198.18.128.0/20',
    kubernetesServiceIp: '198.18.128.1',
    clientRoutes: ['198.18.0.0/15'],
    vipCidr: VIP_CIDR,
  };
}

const FABRIC_BRIDGE = 'fabric';

/** Creates every namespace and link of the plan. Call reclaimAll() first: names are fixed. */
export async function createTopology(plan: TopologyPlan): Promise<void> {
  claimOwnership(`topology with ${plan.nodes.length} nodes`);
  const tor = plan.tor.netns;
  await addNetns(tor);
  await setSysctl(tor, 'net.ipv4.ip_forward', '1');
  await setSysctl(tor, 'net.ipv4.fib_multipath_hash_policy', '1'); // spread flows by L4 ports over ECMP next hops
  await run(['ip', 'link', 'add', FABRIC_BRIDGE, 'type', 'bridge'], { netns: tor });
  await run(['ip', 'link', 'set', FABRIC_BRIDGE, 'up'], { netns: tor });
  await addAddress(tor, FABRIC_BRIDGE, `${plan.tor.fabricAddress}/24`);

  // The outside client: a veth from the root namespace into the TOR.
  await addVeth({ name: plan.client.link }, { name: 'client0', netns: tor });
  await addAddress(undefined, plan.client.link, `${plan.client.address}/30`);
  await addAddress(tor, 'client0', `${plan.tor.clientAddress}/30`);
  for (const cidr of plan.clientRoutes) {
    await replaceRoute(undefined, [cidr, 'via', plan.tor.clientAddress, 'dev', plan.client.link]);
  }

  await attachHost(plan, plan.controlPlane.netns, 'cp', plan.controlPlane.address);
  for (const node of plan.nodes) {
    await attachHost(plan, node.name, `n${node.index}`, node.address);
    await setSysctl(node.name, 'net.ipv4.ip_forward', '1');
    await setSysctl(node.name, 'net.ipv4.conf.all.rp_filter', '0');
    await setSysctl(node.name, 'net.ipv4.conf.default.rp_filter', '0');
  }
  // Pods on different nodes reach each other through the nodes' fabric addresses.
  for (const node of plan.nodes) {
    for (const other of plan.nodes) {
      if (other !== node) await replaceRoute(node.name, [other.podCidr, 'via', other.address, 'dev', 'eth0']);
    }
  }
  // The apiserver answers pods that reach it through the kubernetes Service (kube-proxy does not
  // masquerade pod traffic), so the control plane routes every podCIDR to its node.
  for (const node of plan.nodes) {
    await replaceRoute(plan.controlPlane.netns, [node.podCidr, 'via', node.address, 'dev', 'eth0']);
  }
}

async function attachHost(plan: TopologyPlan, netns: string, short: string, address: string): Promise<void> {
  await addNetns(netns);
  const torEnd = `${short}-fabric`;
  await addVeth({ name: torEnd, netns: plan.tor.netns }, { name: 'eth0', netns });
  await run(['ip', 'link', 'set', torEnd, 'master', FABRIC_BRIDGE], { netns: plan.tor.netns });
  await addAddress(netns, 'eth0', `${address}/24`);
  await replaceRoute(netns, ['default', 'via', plan.tor.fabricAddress, 'dev', 'eth0']);
}

/** The TOR-side end of a node's fabric link: setting it down cuts the node off. */
export function torLinkOf(node: NodeHost): string {
  return `n${node.index}-fabric`;
}

/**
 * Removes the plan's namespaces (pods are removed by reclaimAll). Refuses
 * while another live process owns the environment: a test whose set-up
 * failed to claim it must not tear down someone else's.
 */
export async function destroyTopology(plan: TopologyPlan): Promise<void> {
  assertNoOtherOwner();
  const ours = new Set(await listNetns());
  for (const node of plan.nodes) if (ours.has(node.name)) await deleteNetns(node.name);
  if (ours.has(plan.controlPlane.netns)) await deleteNetns(plan.controlPlane.netns);
  if (ours.has(plan.tor.netns)) await deleteNetns(plan.tor.netns);
  await run(['ip', 'link', 'del', plan.client.link], { reject: false });
  releaseOwnership();
}
