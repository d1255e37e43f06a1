// The BGP side of the local provider's addressing: who peers with whom, and
// the VIP pools the conformance ConfigMaps use. Fixtures and target
// manifests get these as {{ placeholders }}.
import type { TopologyPlan } from './topology.ts';

export const TOR_ASN = 64512;
export const NODE_ASN = 64513;
/** The second router: same ASN as the nodes, so its sessions are iBGP. */
export const IBGP_ROUTER_ADDRESS = '198.18.0.3';
export const TOR_API_PORT = 50051;
export const IBGP_ROUTER_API_PORT = 50052;
/** Nodes with this label peer with the iBGP router (the ConfigMap's node-selectors say so). */
export const IBGP_NODE_LABEL = 'vipcheck.dev/ibgp-peer';

/** Which nodes get the iBGP label: all but the last, so node-selectors visibly select a subset. */
export function ibgpNodes(plan: TopologyPlan): string[] {
  return plan.nodes.length > 1 ? plan.nodes.slice(0, -1).map((n) => n.name) : plan.nodes.map((n) => n.name);
}

export function templateVars(plan: TopologyPlan): Record<string, string | number> {
  return {
    torAddress: plan.tor.fabricAddress,
    torAsn: TOR_ASN,
    nodeAsn: NODE_ASN,
    ibgpRouterAddress: IBGP_ROUTER_ADDRESS,
    ibgpNodeLabel: IBGP_NODE_LABEL,
    // Pools (see fixtures/metallb/conformance-config.yaml): one /24 each under 198.19.0.0/16.
    poolDefault: '198.19.0.0/24',
    poolManual: '198.19.1.0/24',
    poolTinyFirst: '198.19.2.10',
    poolTinyLast: '198.19.2.11',
    poolRangeFirst: '198.19.3.100',
    poolRangeLast: '198.19.3.110',
    poolBuggy: '198.19.4.0/24',
    poolBuggyOnlyFirst: '198.19.5.255',
    poolBuggyOnlyLast: '198.19.6.0',
    poolAggregated: '198.19.8.0/24',
    poolCommunities: '198.19.9.0/24',
    poolSpare: '198.19.10.0/24',
    outsideEveryPool: '198.19.200.1',
    clientAddress: plan.client.address,
  };
}
