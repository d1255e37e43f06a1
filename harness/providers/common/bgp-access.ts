// BGP access: how the scenarios reach the routers a cluster's speakers peer
// with, and the links that cut each node off. The local provider writes it
// for the environment `vipcheck up` leaves running (<run dir>/bgp-access.yaml)
// and describes itself with it; the existing provider reads it from
// `--bgp-access FILE` (without one, BGP scenarios are not-supported there).
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseIPv4 } from '../../../lib/net/index.ts';
import type { Capabilities, EnvironmentDescription, TorAccess } from '../provider.ts';
import type { NodeLink, NodeLinksPayload } from './node-links.ts';

export interface BgpAccess {
  /** The router the nodes peer with over eBGP; its FIB carries the VIPs (when programsFib). */
  tor: TorAccess;
  /** A second router the nodes in `ibgpNodes` peer with over iBGP. */
  ibgpRouter?: TorAccess;
  ibgpNodes?: string[];
  /** Node name → the router-side link to take down for node-loss scenarios. */
  nodeLinks?: Record<string, NodeLink>;
}

export class BgpAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BgpAccessError';
  }
}

const ROUTER_FIELDS = ['netns', 'container', 'apiPort', 'address', 'asn', 'peerAsn', 'programsFib', 'runDir'];
const TOP_FIELDS = ['tor', 'ibgpRouter', 'ibgpNodes', 'nodeLinks'];

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Checks a parsed BGP access document; errors name the source and the field. */
export function validateBgpAccess(value: unknown, source: string): BgpAccess {
  const fail = (field: string, problem: string): never => {
    throw new BgpAccessError(`${source}: ${field}: ${problem}`);
  };
  if (!isObject(value)) return fail('(top)', 'expected a map with at least "tor"');
  for (const key of Object.keys(value)) if (!TOP_FIELDS.includes(key)) fail(key, `unknown field (known: ${TOP_FIELDS.join(', ')})`);

  const router = (field: string, r: unknown): TorAccess => {
    if (!isObject(r)) return fail(field, 'expected a map {netns|container, apiPort, address, asn, programsFib}');
    for (const key of Object.keys(r)) if (!ROUTER_FIELDS.includes(key)) fail(`${field}.${key}`, `unknown field (known: ${ROUTER_FIELDS.join(', ')})`);
    const name = (key: string) => {
      const v = r[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || !v) fail(`${field}.${key}`, 'must be a non-empty string');
      return v as string;
    };
    const netns = name('netns');
    const container = name('container');
    if (!netns === !container) fail(field, 'give exactly one of "netns" (a network namespace where gobgp and ip run) or "container" (run through docker exec)');
    const integer = (key: string, min: number, max: number, required: boolean) => {
      const v = r[key];
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${field}.${key}`, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return v as number;
    };
    const apiPort = integer('apiPort', 1, 65535, true)!;
    const asn = integer('asn', 1, 4294967295, true)!;
    const peerAsn = integer('peerAsn', 1, 4294967295, false);
    if (typeof r.address !== 'string' || parseIPv4(r.address) === undefined) fail(`${field}.address`, `must be the router's IPv4 address, got ${JSON.stringify(r.address)}`);
    if (typeof r.programsFib !== 'boolean') fail(`${field}.programsFib`, 'must be true (the router installs BGP routes in its kernel: FIB checks apply) or false');
    const access: TorAccess = { apiPort, address: r.address as string, asn, programsFib: r.programsFib as boolean };
    if (netns) access.netns = netns;
    if (container) access.container = container;
    if (peerAsn !== undefined) access.peerAsn = peerAsn;
    const runDir = name('runDir');
    if (runDir) access.runDir = runDir;
    return access;
  };

  const access: BgpAccess = { tor: router('tor', value.tor) };
  if (value.ibgpRouter !== undefined) access.ibgpRouter = router('ibgpRouter', value.ibgpRouter);
  if (value.ibgpNodes !== undefined) {
    if (!Array.isArray(value.ibgpNodes) || value.ibgpNodes.some((n) => typeof n !== 'string' || !n)) fail('ibgpNodes', 'must be a list of node names');
    if (!access.ibgpRouter) fail('ibgpNodes', 'needs "ibgpRouter": the router those nodes peer with');
    access.ibgpNodes = value.ibgpNodes as string[];
  }
  if (value.nodeLinks !== undefined) {
    if (!isObject(value.nodeLinks)) fail('nodeLinks', 'must be a map: node name → {netns, link}');
    access.nodeLinks = {};
    for (const [node, l] of Object.entries(value.nodeLinks as Record<string, unknown>)) {
      if (!isObject(l) || typeof l.netns !== 'string' || !l.netns || typeof l.link !== 'string' || !l.link || Object.keys(l).some((k) => k !== 'netns' && k !== 'link')) {
        fail(`nodeLinks.${node}`, 'must be {netns, link}: the namespace holding the router-side link of that node, and the link');
      }
      access.nodeLinks[node] = { netns: (l as Record<string, string>).netns, link: (l as Record<string, string>).link };
    }
  }
  return access;
}

export function loadBgpAccess(file: string): BgpAccess {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BgpAccessError(`--bgp-access: cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new BgpAccessError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  return validateBgpAccess(value, file);
}

export function bgpAccessYaml(access: BgpAccess, header: string): string {
  return `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n${stringify(access)}`;
}

/** What a BGP access gives an environment's description: the routers, and node loss when it names the links. */
export function describeBgpAccess(access: BgpAccess): Pick<EnvironmentDescription, 'tor' | 'ibgpRouter' | 'ibgpNodes' | 'operations'> & { capabilities: Pick<Capabilities, 'bgpAccess' | 'canCutNode'> } {
  const operations: NodeLinksPayload | undefined = access.nodeLinks ? { nodeLinks: access.nodeLinks } : undefined;
  return {
    tor: access.tor,
    ibgpRouter: access.ibgpRouter,
    ibgpNodes: access.ibgpNodes,
    operations,
    capabilities: { bgpAccess: true, canCutNode: !!access.nodeLinks },
  };
}
