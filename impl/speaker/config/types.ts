// The validated MetalLB legacy configuration (ConfigMap metallb-system/config,
// key `config`). Everything here has been checked by parseConfig; consumers
// never re-validate.
import type { Ipv4Prefix } from '../../../lib/net/index.ts';

export interface Config {
  /** BGP peers in config order. */
  peers: Peer[];
  /** Address pools in config order (auto-assignment tries them in this order). */
  pools: AddressPool[];
  /** `bgp-communities` aliases: name → 32-bit community value. */
  communities: Map<string, number>;
}

export interface Peer {
  /** Position in `peers`, for messages. */
  index: number;
  peerAddress: string;
  peerAsn: number;
  myAsn: number;
  peerPort: number;
  holdTimeSec: number;
  keepaliveSec: number;
  /** Absent → the speaker uses its node address. */
  routerId?: string;
  sourceAddress?: string;
  /** OR across selectors; an empty list never occurs (absent means one match-everything selector). */
  nodeSelectors: NodeSelector[];
  ebgpMultihop: boolean;
}

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** AND of all labels and expressions; an empty selector matches every node. */
export interface NodeSelector {
  matchLabels: Record<string, string>;
  matchExpressions: SelectorRequirement[];
}

export type PoolProtocol = 'bgp';

export interface AddressPool {
  name: string;
  protocol: PoolProtocol;
  /** Each `addresses` entry as written, with the inclusive range and the prefixes that cover it. */
  addresses: AddressBlock[];
  autoAssign: boolean;
  avoidBuggyIps: boolean;
  /** Never empty: an omitted list means one /32 advertisement without attributes. */
  bgpAdvertisements: BgpAdvertisement[];
}

export interface AddressBlock {
  text: string;
  first: number;
  last: number;
  cidrs: Ipv4Prefix[];
}

export interface BgpAdvertisement {
  aggregationLength: number;
  aggregationLengthV6: number;
  localPref?: number;
  /** Resolved 32-bit values (a:b = a<<16|b), sorted, no duplicates. */
  communities: number[];
}
