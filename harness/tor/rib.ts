// Reading GoBGP's and the kernel's views of the TOR's routes: the JSON of
// `gobgp global rib -j`, `gobgp neighbor -j`, `gobgp monitor global rib -j`
// and `ip -j route`. Pure functions, so that the formats are pinned by tests.
import { formatCommunity } from '../../lib/bgp-community.ts';
import { compareAddresses } from '../../lib/net/index.ts';

// Suites sort next hops with this; they may import it from lib/net directly.

export type Origin = 'igp' | 'egp' | 'incomplete';

export interface RoutePath {
  nextHop: string;
  /** ASNs of every segment, in order (sets flattened). */
  asPath: number[];
  localPref?: number;
  med?: number;
  /** RFC 1997 communities as "a:b". */
  communities: string[];
  origin: Origin;
  /** The BGP neighbor the path came from. */
  neighbor: string;
  /** GoBGP's single best path. */
  best: boolean;
}

export interface Route {
  prefix: string;
  /** The equal-cost next hops GoBGP installs with multipath (sorted). */
  nextHops: string[];
  paths: RoutePath[];
}

export interface Neighbor {
  address: string;
  asn: number;
  /** 'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established' | 'unknown' */
  state: string;
  uptimeSec?: number;
}

interface GobgpAttribute {
  type: number;
  value?: number;
  nexthop?: string;
  metric?: number;
  communities?: number[];
  as_paths?: { segment_type?: number; asns?: number[] }[];
}

interface GobgpPath {
  nlri?: { prefix?: string };
  best?: boolean;
  withdrawal?: boolean;
  attrs?: GobgpAttribute[];
  'neighbor-ip'?: string;
}

const origins: Origin[] = ['igp', 'egp', 'incomplete'];

/** "198.19.0.10" (as `ip -j` prints host routes) → "198.19.0.10/32". */
export function normalizePrefix(text: string): string {
  return text.includes('/') ? text : `${text}/32`;
}

type PathReading = RoutePath & { asPathLength: number };

/** How each attribute of GoBGP's JSON (by BGP type code) lands in a RoutePath; attributes not listed are not read. */
const attributeReaders: Record<number, (attr: GobgpAttribute, path: PathReading) => void> = {
  1: (attr, path) => {
    path.origin = origins[attr.value ?? 0] ?? 'igp';
  },
  2: (attr, path) => {
    for (const segment of attr.as_paths ?? []) {
      const asns = segment.asns ?? [];
      path.asPath.push(...asns);
      // GoBGP counts an AS_SET as one hop and confederation segments as none.
      const type = segment.segment_type ?? 2;
      path.asPathLength += type === 1 ? 1 : type === 2 ? asns.length : 0;
    }
  },
  3: (attr, path) => {
    path.nextHop = attr.nexthop ?? '';
  },
  4: (attr, path) => {
    path.med = attr.metric ?? 0;
  },
  5: (attr, path) => {
    path.localPref = attr.value;
  },
  8: (attr, path) => {
    path.communities = (attr.communities ?? []).map(formatCommunity);
  },
};

function toPath(raw: GobgpPath): PathReading {
  const path: PathReading = {
    nextHop: '', asPath: [], communities: [], origin: 'igp', neighbor: raw['neighbor-ip'] ?? '', best: raw.best === true, asPathLength: 0,
  };
  for (const attr of raw.attrs ?? []) attributeReaders[attr.type]?.(attr, path);
  return path;
}

/**
 * GoBGP's multipath rule (internal/pkg/table: a path joins the best one when
 * Path.Compare says equal): same internal/external kind, LOCAL_PREF (100 when
 * absent), AS_PATH length, ORIGIN, MED (0 when absent).
 */
function equalCost(a: PathReading, b: PathReading, isInternal: (neighbor: string) => boolean): boolean {
  return isInternal(a.neighbor) === isInternal(b.neighbor)
    && (a.localPref ?? 100) === (b.localPref ?? 100)
    && a.asPathLength === b.asPathLength
    && a.origin === b.origin
    && (a.med ?? 0) === (b.med ?? 0);
}

/** Parses `gobgp global rib -j` ({prefix: paths[]}); `isInternal` says whether a neighbor is an iBGP peer. */
export function parseRib(json: string, isInternal: (neighbor: string) => boolean): Route[] {
  const table = JSON.parse(json || '{}') as Record<string, GobgpPath[]>;
  const routes: Route[] = [];
  for (const [prefix, rawPaths] of Object.entries(table)) {
    const paths = (rawPaths ?? []).map(toPath);
    if (paths.length === 0) continue;
    const best = paths.find((p) => p.best) ?? paths[0];
    const nextHops = [...new Set(paths.filter((p) => equalCost(best, p, isInternal)).map((p) => p.nextHop))].sort(compareAddresses);
    routes.push({ prefix, nextHops, paths: paths.map(({ asPathLength: _, ...p }) => p) });
  }
  return routes.sort((a, b) => compareAddresses(a.prefix, b.prefix));
}

const SESSION_STATES = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

/** Parses `gobgp neighbor -j`. Dynamic peers carry their address in state.neighbor_address only. */
export function parseNeighbors(json: string, nowSec = Date.now() / 1000): Neighbor[] {
  const list = JSON.parse(json || '[]') as {
    conf?: { neighbor_address?: string; peer_asn?: number };
    state?: { neighbor_address?: string; peer_asn?: number; session_state?: number | string };
    timers?: { state?: { uptime?: { seconds?: number } } };
  }[];
  return (list ?? []).map((n) => {
    const raw = n.state?.session_state;
    const state = typeof raw === 'number' ? SESSION_STATES[raw] ?? 'unknown' : typeof raw === 'string' ? raw.toLowerCase().replace(/^session_state_/, '') : 'unknown';
    const neighbor: Neighbor = {
      address: n.state?.neighbor_address || n.conf?.neighbor_address || '',
      asn: n.state?.peer_asn ?? n.conf?.peer_asn ?? 0,
      state,
    };
    const up = n.timers?.state?.uptime?.seconds;
    if (state === 'established' && up) neighbor.uptimeSec = Math.max(0, Math.round(nowSec - up));
    return neighbor;
  }).sort((a, b) => compareAddresses(a.address, b.address));
}

/** Parses `ip -j route show …` into prefix → sorted gateways. */
export function parseFib(json: string): Map<string, string[]> {
  const routes = JSON.parse(json || '[]') as { dst: string; gateway?: string; nexthops?: { gateway?: string }[] }[];
  const fib = new Map<string, string[]>();
  for (const route of routes ?? []) {
    const gateways = route.nexthops ? route.nexthops.map((n) => n.gateway).filter((g): g is string => !!g) : route.gateway ? [route.gateway] : [];
    fib.set(normalizePrefix(route.dst), gateways.sort(compareAddresses));
  }
  return fib;
}

/**
 * One line of `gobgp monitor global rib -j`: a JSON array of paths. With
 * multipath, the paths of a prefix are its whole new equal-cost set; a prefix
 * whose only path carries `withdrawal: true` has none left. Returns prefix →
 * sorted next hops, or null when the prefix is gone.
 */
export function parseMonitorLine(line: string): Map<string, string[] | null> {
  const paths = JSON.parse(line) as GobgpPath[];
  if (!Array.isArray(paths)) throw new Error(`monitor line is not a JSON array: ${line.slice(0, 200)}`);
  const sets = new Map<string, Set<string>>();
  for (const raw of paths) {
    const prefix = raw.nlri?.prefix;
    if (!prefix) continue;
    let set = sets.get(prefix);
    if (!set) sets.set(prefix, (set = new Set()));
    if (raw.withdrawal) continue;
    const nextHop = raw.attrs?.find((a) => a.type === 3)?.nexthop;
    if (nextHop) set.add(nextHop);
  }
  const result = new Map<string, string[] | null>();
  for (const [prefix, set] of sets) result.set(prefix, set.size > 0 ? [...set].sort(compareAddresses) : null);
  return result;
}
