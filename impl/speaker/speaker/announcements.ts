// What one node's speaker announces, and to whom. Pure: config + Services +
// EndpointSlices + this Node in, routes per peer out. The Speaker class only
// applies the result to its BGP sessions.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { RouteAttributes, SessionConfig } from '../bgp/session.ts';
import type { AddressPool, Config, Peer } from '../config/types.ts';
import { anySelectorMatches } from '../config/labels.ts';
import { poolContaining } from '../allocator/allocator.ts';
import { isExternalTrafficLocal, isOurLoadBalancer, serviceKey, statusAddresses } from '../allocator/service.ts';
import { formatIPv4, maskIPv4, parseIPv4 } from '../../../lib/net/index.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
}

/** Why a LoadBalancer Service with an address is not announced from this node. */
export type NotAnnouncedReason = 'noEndpoints' | 'noLocalEndpoints' | 'notInAnyPool';

export interface ServiceAnnouncement {
  address: string;
  pool: string;
  prefixes: string[];
}

export interface AnnouncementPlan {
  /** prefix → attributes, for every peer of this node (before per-peer adjustments). */
  routes: Map<string, RouteAttributes>;
  /** Services announced from this node. */
  announced: Map<string, ServiceAnnouncement>;
  /** LoadBalancer Services with an address that this node does not announce, and why. */
  notAnnounced: Map<string, NotAnnouncedReason>;
}

/** The routes this node announces: one per Service address and advertisement, merged by prefix. */
export function announcements(config: Config, services: readonly V1Service[], endpointSlices: readonly V1EndpointSlice[], node: NodeInfo): Map<string, RouteAttributes> {
  return planAnnouncements(config, services, endpointSlices, node).routes;
}

export function planAnnouncements(config: Config, services: readonly V1Service[], endpointSlices: readonly V1EndpointSlice[], node: NodeInfo): AnnouncementPlan {
  const plan: AnnouncementPlan = { routes: new Map(), announced: new Map(), notAnnounced: new Map() };
  const slicesByService = groupSlices(endpointSlices);
  for (const service of services) {
    if (!isOurLoadBalancer(service)) continue;
    const key = serviceKey(service);
    for (const address of statusAddresses(service)) {
      const value = parseIPv4(address)!;
      const pool = poolContaining(config.pools, value);
      if (!pool) {
        plan.notAnnounced.set(key, 'notInAnyPool');
        continue;
      }
      const slices = slicesByService.get(key) ?? [];
      const local = isExternalTrafficLocal(service);
      if (!hasReadyEndpoint(slices, local ? node.name : undefined)) {
        plan.notAnnounced.set(key, local ? 'noLocalEndpoints' : 'noEndpoints');
        continue;
      }
      const prefixes = advertise(plan.routes, value, pool);
      plan.announced.set(key, { address, pool: pool.name, prefixes });
      plan.notAnnounced.delete(key);
    }
  }
  return plan;
}

/** The peers this node talks to: those whose node-selectors match the node's labels. */
export function selectedPeers(config: Config, node: NodeInfo): Peer[] {
  return config.peers.filter((peer) => anySelectorMatches(peer.nodeSelectors, node.labels));
}

/** LOCAL_PREF is an iBGP attribute: an eBGP peer gets the routes without it. */
export function routesForPeer(peer: Peer, routes: Map<string, RouteAttributes>): Map<string, RouteAttributes> {
  if (peer.peerAsn === peer.myAsn) return new Map(routes);
  const result = new Map<string, RouteAttributes>();
  for (const [prefix, attributes] of routes) {
    const { localPref: _dropped, ...rest } = attributes;
    result.set(prefix, rest);
  }
  return result;
}

/** Adds the routes of one address in one pool; returns the prefixes. Same prefix twice: communities merge, the highest localpref wins. */
function advertise(routes: Map<string, RouteAttributes>, address: number, pool: AddressPool): string[] {
  const prefixes: string[] = [];
  for (const ad of pool.bgpAdvertisements) {
    const prefix = `${formatIPv4(maskIPv4(address, ad.aggregationLength))}/${ad.aggregationLength}`;
    const attributes: RouteAttributes = {
      ...(ad.localPref !== undefined ? { localPref: ad.localPref } : {}),
      ...(ad.communities.length > 0 ? { communities: [...ad.communities] } : {}),
    };
    const existing = routes.get(prefix);
    routes.set(prefix, existing ? mergeAttributes(existing, attributes) : attributes);
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
  }
  return prefixes;
}

function mergeAttributes(a: RouteAttributes, b: RouteAttributes): RouteAttributes {
  const communities = [...new Set([...(a.communities ?? []), ...(b.communities ?? [])])].sort((x, y) => x - y);
  const localPref = a.localPref === undefined ? b.localPref : b.localPref === undefined ? a.localPref : Math.max(a.localPref, b.localPref);
  return {
    ...(localPref !== undefined ? { localPref } : {}),
    ...(communities.length > 0 ? { communities } : {}),
  };
}

function groupSlices(endpointSlices: readonly V1EndpointSlice[]): Map<string, V1EndpointSlice[]> {
  const result = new Map<string, V1EndpointSlice[]>();
  for (const slice of endpointSlices) {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!service) continue;
    const key = `${slice.metadata?.namespace ?? ''}/${service}`;
    let list = result.get(key);
    if (!list) result.set(key, (list = []));
    list.push(slice);
  }
  return result;
}

/**
 * Any ready endpoint (on `nodeName` when given). An absent ready condition
 * counts as ready, as the EndpointSlice API defines it.
 */
export function hasReadyEndpoint(slices: readonly V1EndpointSlice[], nodeName?: string): boolean {
  return slices.some((slice) => (slice.endpoints ?? []).some((endpoint) =>
    endpoint.conditions?.ready !== false
    && endpoint.addresses.length > 0
    && (nodeName === undefined || endpoint.nodeName === nodeName)));
}

/** One BGP session this node should run, with the routes it should carry. */
export interface PeerPlan {
  peer: Peer;
  /** "address:port", for logs and metrics. */
  name: string;
  config: SessionConfig;
  routes: Map<string, RouteAttributes>;
}

/**
 * The sessions of this node: every selected peer, with router-id from the
 * config or else the node's address, source-address as the local address.
 * Two selected peers that would dial the same address and port cannot both
 * run; the later one is reported and skipped.
 */
export function planPeers(config: Config, routes: Map<string, RouteAttributes>, node: NodeInfo, nodeAddress: string | undefined): { peers: PeerPlan[]; problems: string[] } {
  const peers: PeerPlan[] = [];
  const problems: string[] = [];
  for (const peer of selectedPeers(config, node)) {
    const name = `${peer.peerAddress}:${peer.peerPort}`;
    const routerId = peer.routerId ?? nodeAddress;
    if (routerId === undefined) {
      problems.push(`peers[${peer.index}] (${name}): no router-id configured and the node's address is unknown; not peering`);
      continue;
    }
    const clash = peers.find((p) => p.name === name);
    if (clash) {
      problems.push(`peers[${peer.index}] (${name}) would dial the same peer as peers[${clash.peer.index}] from this node; skipped`);
      continue;
    }
    peers.push({
      peer, name,
      config: {
        peerAddress: peer.peerAddress,
        peerPort: peer.peerPort,
        ...(peer.sourceAddress !== undefined ? { localAddress: peer.sourceAddress } : {}),
        myAsn: peer.myAsn,
        peerAsn: peer.peerAsn,
        routerId,
        holdTimeSec: peer.holdTimeSec,
        keepaliveSec: peer.keepaliveSec,
      },
      routes: routesForPeer(peer, routes),
    });
  }
  return { peers, problems };
}
