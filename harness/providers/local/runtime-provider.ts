// The local provider as `vipcheck run` sees it: bring the environment up
// (or use the one that is up) and describe it for the scenarios.
import type { ClusterNode } from '../provider.ts';
import type { TorAccess } from '../../scenario/runtime.ts';
import { up } from './lifecycle.ts';
import { IBGP_ROUTER_ADDRESS, IBGP_ROUTER_API_PORT, NODE_ASN, TOR_API_PORT, TOR_ASN, ibgpNodes, templateVars } from './addressing.ts';
import { torLinkOf } from './topology.ts';

export interface RuntimeProvider {
  kubeconfig: string;
  kubernetesVersion: string;
  nodes: ClusterNode[];
  tor?: TorAccess;
  ibgpRouter?: TorAccess;
  nodeLinks?: Record<string, { netns: string; link: string }>;
  ibgpNodes?: string[];
  /** Node name → its container (kind provider): node loss pauses it. */
  nodeContainers?: Record<string, string>;
  vars: Record<string, string | number>;
}

export async function localRuntimeProvider(options: { nodes: number; log: (line: string) => void }): Promise<RuntimeProvider> {
  const state = await up({ nodes: options.nodes, log: options.log });
  const plan = state.plan!;
  return {
    kubeconfig: state.kubeconfig,
    kubernetesVersion: state.kubernetesVersion,
    nodes: plan.nodes.map((n) => ({ name: n.name, address: n.address })),
    tor: { netns: plan.tor.netns, apiPort: TOR_API_PORT, address: plan.tor.fabricAddress, asn: TOR_ASN, peerAsn: NODE_ASN, programsFib: true, runDir: `${state.runDir}/tor` },
    ibgpRouter: { netns: plan.tor.netns, apiPort: IBGP_ROUTER_API_PORT, address: IBGP_ROUTER_ADDRESS, asn: NODE_ASN, peerAsn: NODE_ASN, programsFib: false, runDir: `${state.runDir}/ibgp-router` },
    nodeLinks: Object.fromEntries(plan.nodes.map((n) => [n.name, { netns: plan.tor.netns, link: torLinkOf(n) }])),
    ibgpNodes: ibgpNodes(plan),
    vars: templateVars(plan),
  };
}
