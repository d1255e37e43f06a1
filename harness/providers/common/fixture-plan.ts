// The BGP and address plan every provider's environment follows, so that the
// fixtures, the targets' manifests and the conformance ConfigMaps are the same
// on each: the ASNs, the iBGP label and which nodes carry it, the VIP pools.
// Only the routers' and the client's addresses differ by provider; fixtures
// get all of it as {{ placeholders }} (fixtureVars).

export const TOR_ASN = 64512;
/** The nodes' AS; the iBGP router has it too, so its sessions are iBGP. */
export const NODE_ASN = 64513;
/** gobgpd's gRPC API of the TOR, on its own loopback. */
export const TOR_API_PORT = 50051;
/** Nodes with this label peer with the iBGP router (the ConfigMap's node-selectors say so). */
export const IBGP_NODE_LABEL = 'vipcheck.dev/ibgp-peer';
/** Where VIP pools are taken from (fixtures choose sub-ranges); the client routes it through the TOR. */
export const VIP_CIDR = '198.19.0.0/16';

/** Which nodes get the iBGP label: all but the last, so node-selectors visibly select a subset. */
export function ibgpPeerNodes(names: string[]): string[] {
  return names.length > 1 ? names.slice(0, -1) : [...names];
}

/** The addresses that differ by provider. */
export interface PlanAddresses {
  torAddress: string;
  ibgpRouterAddress: string;
  /** The outside client's source address, as the cluster sees it. */
  clientAddress: string;
}

export function fixtureVars(addresses: PlanAddresses): Record<string, string | number> {
  return {
    torAddress: addresses.torAddress,
    torAsn: TOR_ASN,
    nodeAsn: NODE_ASN,
    ibgpRouterAddress: addresses.ibgpRouterAddress,
    ibgpNodeLabel: IBGP_NODE_LABEL,
    // Pools (see fixtures/metallb/conformance-config.yaml): one /24 each under VIP_CIDR.
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
    clientAddress: addresses.clientAddress,
  };
}
