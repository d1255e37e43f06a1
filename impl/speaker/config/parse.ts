// Parses and validates the MetalLB v0.12 legacy ConfigMap format. Every
// problem is collected (not just the first) and named by its field path;
// fields this speaker cannot honour are refused by name rather than ignored.
import { labelKeyProblem, labelValueProblem } from './labels.ts';
import { parseGoDuration } from './duration.ts';
import { ConfigError, YamlReader, type YamlValue } from './yaml-reader.ts';
import type { AddressBlock, AddressPool, BgpAdvertisement, Config, NodeSelector, Peer, SelectorOperator, SelectorRequirement } from './types.ts';
import { AddressError, formatPrefix, looksLikeIPv6, parseCidr, parseIPv4, parseRange, prefixLast, summarizeRange } from '../../../lib/net/index.ts';
import { parseCommunity } from '../../../lib/bgp-community.ts';

export { ConfigError } from './yaml-reader.ts';

const MAX_ASN = 4294967295;
const MAX_UINT32 = 4294967295;
const DEFAULT_HOLD_TIME_SEC = 90;
const DEFAULT_PEER_PORT = 179;

const TOP_FIELDS = ['peers', 'bgp-communities', 'address-pools', 'bfd-profiles'] as const;
const PEER_FIELDS = ['peer-address', 'peer-asn', 'my-asn', 'peer-port', 'hold-time', 'keepalive-time', 'router-id', 'source-address', 'password', 'node-selectors', 'bfd-profile', 'ebgp-multihop'] as const;
const SELECTOR_FIELDS = ['match-labels', 'match-expressions'] as const;
const REQUIREMENT_FIELDS = ['key', 'operator', 'values'] as const;
const POOL_FIELDS = ['name', 'protocol', 'addresses', 'auto-assign', 'avoid-buggy-ips', 'bgp-advertisements'] as const;
const ADVERTISEMENT_FIELDS = ['aggregation-length', 'aggregation-length-v6', 'localpref', 'communities'] as const;
const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Parses the `config` key of the ConfigMap; throws ConfigError listing every problem. An empty text is an empty config. */
export function parseConfig(text: string): Config {
  const reader = new YamlReader(text);
  const config: Config = { peers: [], pools: [], communities: new Map() };
  if (reader.issues.length === 0 && !reader.isNull(reader.root)) {
    const top = reader.fields(reader.root, '', TOP_FIELDS);
    if (top) {
      if (top.has('bfd-profiles') && reader.list(top.get('bfd-profiles')!, 'bfd-profiles').length > 0) {
        reader.issue('bfd-profiles', 'BFD is not implemented by this speaker; remove the section');
      }
      if (top.has('bgp-communities')) config.communities = parseCommunityAliases(reader, top.get('bgp-communities')!);
      if (top.has('peers')) config.peers = parsePeers(reader, top.get('peers')!);
      if (top.has('address-pools')) config.pools = parsePools(reader, top.get('address-pools')!, config.communities);
    }
  }
  if (reader.issues.length > 0) throw new ConfigError(reader.issues);
  return config;
}

function parseCommunityAliases(reader: YamlReader, node: YamlValue): Map<string, number> {
  const aliases = new Map<string, number>();
  for (const [name, value] of reader.stringMap(node, 'bgp-communities') ?? []) {
    try {
      aliases.set(name, parseCommunity(value));
    } catch (error) {
      reader.issue(`bgp-communities.${name}`, (error as Error).message);
    }
  }
  return aliases;
}

// ---------------------------------------------------------------- peers

function parsePeers(reader: YamlReader, node: YamlValue): Peer[] {
  const peers: Peer[] = [];
  const seen = new Map<string, number>();
  for (const [index, [item, path]] of reader.list(node, 'peers').entries()) {
    const peer = parsePeer(reader, item, path, index);
    if (!peer) continue;
    const identity = JSON.stringify({ ...peer, index: undefined });
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      reader.issue(path, `duplicates peers[${earlier}] (same peer-address ${peer.peerAddress} and settings)`);
      continue;
    }
    seen.set(identity, peer.index);
    peers.push(peer);
  }
  return peers;
}

function parsePeer(reader: YamlReader, node: YamlValue, path: string, index: number): Peer | undefined {
  const f = reader.fields(node, path, PEER_FIELDS);
  if (!f) return undefined;
  const before = reader.issues.length;
  const at = (field: string) => `${path}.${field}`;

  const peerAddress = required(reader, f, path, 'peer-address', (v, p) => address(reader, v, p));
  const peerAsn = required(reader, f, path, 'peer-asn', (v, p) => reader.integer(v, p, 1, MAX_ASN));
  const myAsn = required(reader, f, path, 'my-asn', (v, p) => reader.integer(v, p, 1, MAX_ASN));
  let peerPort = DEFAULT_PEER_PORT;
  if (f.has('peer-port')) {
    // 0 means "the default", as in MetalLB.
    peerPort = reader.integer(f.get('peer-port')!, at('peer-port'), 0, 65535) || DEFAULT_PEER_PORT;
  }
  let holdTimeSec = DEFAULT_HOLD_TIME_SEC;
  if (f.has('hold-time')) {
    const seconds = duration(reader, f.get('hold-time')!, at('hold-time'));
    if (seconds !== undefined) {
      if (seconds !== 0 && seconds < 3) reader.issue(at('hold-time'), `${describeSeconds(seconds)} is too short: must be 0 or at least 3s`);
      else holdTimeSec = seconds;
    }
  }
  let keepaliveSec = Math.floor(holdTimeSec / 3);
  if (f.has('keepalive-time')) {
    const seconds = duration(reader, f.get('keepalive-time')!, at('keepalive-time'));
    if (seconds !== undefined) {
      if (seconds < 0) reader.issue(at('keepalive-time'), `${describeSeconds(seconds)} is negative`);
      else if (seconds > holdTimeSec) reader.issue(at('keepalive-time'), `${describeSeconds(seconds)} is longer than the hold-time ${holdTimeSec}s`);
      else keepaliveSec = seconds;
    }
  }
  const routerId = f.has('router-id') ? address(reader, f.get('router-id')!, at('router-id')) : undefined;
  const sourceAddress = f.has('source-address') ? address(reader, f.get('source-address')!, at('source-address')) : undefined;
  if (f.has('password')) reader.issue(at('password'), 'TCP-MD5 authentication is not implemented by this speaker; remove the field');
  if (f.has('bfd-profile')) reader.issue(at('bfd-profile'), 'BFD is not implemented by this speaker; remove the field');
  let ebgpMultihop = false;
  if (f.has('ebgp-multihop')) {
    ebgpMultihop = reader.boolean(f.get('ebgp-multihop')!, at('ebgp-multihop')) ?? false;
    if (ebgpMultihop && peerAsn !== undefined && peerAsn === myAsn) {
      reader.issue(at('ebgp-multihop'), 'is invalid for an iBGP peer (peer-asn equals my-asn)');
    }
  }
  let nodeSelectors: NodeSelector[] = [{ matchLabels: {}, matchExpressions: [] }];
  if (f.has('node-selectors')) {
    const parsed = reader.list(f.get('node-selectors')!, at('node-selectors')).map(([item, p]) => parseNodeSelector(reader, item, p));
    if (parsed.length > 0) nodeSelectors = parsed.filter((s): s is NodeSelector => s !== undefined);
  }
  if (reader.issues.length > before || peerAddress === undefined || peerAsn === undefined || myAsn === undefined) return undefined;
  return {
    index, peerAddress, peerAsn, myAsn, peerPort, holdTimeSec, keepaliveSec,
    ...(routerId !== undefined ? { routerId } : {}),
    ...(sourceAddress !== undefined ? { sourceAddress } : {}),
    nodeSelectors, ebgpMultihop,
  };
}

function parseNodeSelector(reader: YamlReader, node: YamlValue, path: string): NodeSelector | undefined {
  const f = reader.fields(node, path, SELECTOR_FIELDS);
  if (!f) return undefined;
  const selector: NodeSelector = { matchLabels: {}, matchExpressions: [] };
  if (f.has('match-labels')) {
    for (const [key, value] of reader.stringMap(f.get('match-labels')!, `${path}.match-labels`) ?? []) {
      const problem = labelKeyProblem(key) ?? labelValueProblem(value);
      if (problem) reader.issue(`${path}.match-labels.${key}`, problem);
      else selector.matchLabels[key] = value;
    }
  }
  if (f.has('match-expressions')) {
    for (const [item, p] of reader.list(f.get('match-expressions')!, `${path}.match-expressions`)) {
      const requirement = parseRequirement(reader, item, p);
      if (requirement) selector.matchExpressions.push(requirement);
    }
  }
  return selector;
}

function parseRequirement(reader: YamlReader, node: YamlValue, path: string): SelectorRequirement | undefined {
  const f = reader.fields(node, path, REQUIREMENT_FIELDS);
  if (!f) return undefined;
  const before = reader.issues.length;
  const key = required(reader, f, path, 'key', (v, p) => reader.string(v, p));
  if (key !== undefined) {
    const problem = labelKeyProblem(key);
    if (problem) reader.issue(`${path}.key`, problem);
  }
  const operatorText = required(reader, f, path, 'operator', (v, p) => reader.string(v, p));
  const operator = OPERATORS.find((o) => o === operatorText);
  if (operatorText !== undefined && operator === undefined) {
    reader.issue(`${path}.operator`, `${JSON.stringify(operatorText)} is not an operator (use In, NotIn, Exists or DoesNotExist)`);
  }
  const values: string[] = [];
  if (f.has('values')) {
    for (const [item, p] of reader.list(f.get('values')!, `${path}.values`)) {
      const value = reader.string(item, p);
      if (value === undefined) continue;
      const problem = labelValueProblem(value);
      if (problem) reader.issue(p, problem);
      values.push(value);
    }
  }
  if (operator === 'In' || operator === 'NotIn') {
    if (values.length === 0) reader.issue(`${path}.values`, `must be non-empty for operator ${operator}`);
  } else if (operator !== undefined && values.length > 0) {
    reader.issue(`${path}.values`, `must be empty for operator ${operator}`);
  }
  if (reader.issues.length > before || key === undefined || operator === undefined) return undefined;
  return { key, operator, values };
}

// ---------------------------------------------------------------- pools

interface PlacedBlock {
  block: AddressBlock;
  pool: string;
}

function parsePools(reader: YamlReader, node: YamlValue, communities: Map<string, number>): AddressPool[] {
  const pools: AddressPool[] = [];
  const names = new Map<string, number>();
  const placed: PlacedBlock[] = [];
  for (const [index, [item, path]] of reader.list(node, 'address-pools').entries()) {
    const pool = parsePool(reader, item, path, index, names, communities, placed);
    if (pool) pools.push(pool);
  }
  return pools;
}

function parsePool(reader: YamlReader, node: YamlValue, path: string, index: number, names: Map<string, number>, communities: Map<string, number>, placed: PlacedBlock[]): AddressPool | undefined {
  const f = reader.fields(node, path, POOL_FIELDS);
  if (!f) return undefined;
  const before = reader.issues.length;
  const at = (field: string) => `${path}.${field}`;

  const name = required(reader, f, path, 'name', (v, p) => reader.string(v, p));
  if (name === '') reader.issue(at('name'), 'must not be empty');
  else if (name !== undefined && names.has(name)) {
    reader.issue(at('name'), `duplicate pool name ${JSON.stringify(name)} (also address-pools[${names.get(name)}])`);
  } else if (name !== undefined) names.set(name, index);
  const protocol = required(reader, f, path, 'protocol', (v, p) => reader.string(v, p));
  if (protocol === 'layer2') {
    reader.issue(at('protocol'), '"layer2" is not implemented by this speaker (BGP only); use protocol: bgp');
  } else if (protocol !== undefined && protocol !== 'bgp') {
    reader.issue(at('protocol'), `unknown protocol ${JSON.stringify(protocol)} (expected bgp or layer2)`);
  }

  const addresses: AddressBlock[] = [];
  const addressPaths: string[] = [];
  if (!f.has('addresses')) reader.issue(at('addresses'), 'is required: the pool has no addresses');
  else {
    const items = reader.list(f.get('addresses')!, at('addresses'));
    if (items.length === 0) reader.issue(at('addresses'), 'must not be empty: the pool has no addresses');
    for (const [item, p] of items) {
      const text = reader.string(item, p);
      if (text === undefined) continue;
      const block = parseAddressBlock(text);
      if (typeof block === 'string') {
        reader.issue(p, block);
        continue;
      }
      const overlap = placed.find((other) => block.first <= other.block.last && other.block.first <= block.last);
      if (overlap) {
        reader.issue(p, `${JSON.stringify(text)} overlaps pool ${JSON.stringify(overlap.pool)} (${overlap.block.text})`);
        continue;
      }
      placed.push({ block, pool: name ?? path });
      addresses.push(block);
      addressPaths.push(p.slice(path.length + 1));
    }
  }

  const autoAssign = f.has('auto-assign') ? reader.boolean(f.get('auto-assign')!, at('auto-assign')) : true;
  const avoidBuggyIps = f.has('avoid-buggy-ips') ? reader.boolean(f.get('avoid-buggy-ips')!, at('avoid-buggy-ips')) : false;

  let bgpAdvertisements: BgpAdvertisement[] = [{ aggregationLength: 32, aggregationLengthV6: 128, communities: [] }];
  if (f.has('bgp-advertisements')) {
    const items = reader.list(f.get('bgp-advertisements')!, at('bgp-advertisements'));
    if (protocol === 'layer2' && items.length > 0) {
      reader.issue(at('bgp-advertisements'), 'not allowed in a layer2 pool (aggregation-length, localpref and communities are BGP settings)');
    } else if (items.length > 0) {
      bgpAdvertisements = [];
      const seen = new Map<string, number>();
      items.forEach(([item, p], i) => {
        const ad = parseAdvertisement(reader, item, p, addresses, addressPaths, communities);
        if (!ad) return;
        const identity = JSON.stringify(ad);
        const earlier = seen.get(identity);
        if (earlier !== undefined) reader.issue(p, `duplicates bgp-advertisements[${earlier}]`);
        else seen.set(identity, i);
        bgpAdvertisements.push(ad);
      });
    }
  }
  if (reader.issues.length > before || name === undefined || protocol !== 'bgp' || autoAssign === undefined || avoidBuggyIps === undefined) return undefined;
  return { name, protocol, addresses, autoAssign, avoidBuggyIps, bgpAdvertisements };
}

/** A CIDR or an "a-b" range; a string is the reason it is not one. */
export function parseAddressBlock(text: string): AddressBlock | string {
  const quoted = JSON.stringify(text);
  if (looksLikeIPv6(text)) return `${quoted}: IPv6 addresses are not supported by this speaker (IPv4 only)`;
  try {
    if (text.includes('-')) {
      const { first, last } = parseRange(text);
      if (typeof first !== 'number' || typeof last !== 'number') return `${quoted}: IPv6 addresses are not supported by this speaker (IPv4 only)`;
      return { text, first, last, cidrs: summarizeRange(first, last) };
    }
    const cidr = parseCidr(text, 4);
    return { text, first: cidr.address, last: prefixLast(cidr), cidrs: [cidr] };
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    return error.kind === 'range' ? `${quoted} is not a valid range: ${error.reason}` : `${quoted} is neither a CIDR (a.b.c.d/n) nor a range (a.b.c.d-e.f.g.h)`;
  }
}

function parseAdvertisement(reader: YamlReader, node: YamlValue, path: string, addresses: AddressBlock[], addressPaths: string[], aliases: Map<string, number>): BgpAdvertisement | undefined {
  const f = reader.fields(node, path, ADVERTISEMENT_FIELDS);
  if (!f) return undefined;
  const before = reader.issues.length;
  const at = (field: string) => `${path}.${field}`;
  const aggregationLength = f.has('aggregation-length') ? reader.integer(f.get('aggregation-length')!, at('aggregation-length'), 0, 32) : 32;
  const aggregationLengthV6 = f.has('aggregation-length-v6') ? reader.integer(f.get('aggregation-length-v6')!, at('aggregation-length-v6'), 0, 128) : 128;
  if (aggregationLength !== undefined) {
    addresses.forEach((block, i) => {
      // The aggregate may not be wider than the pool's own largest prefix: it would attract traffic for addresses outside the pool.
      const widest = block.cidrs.reduce((a, b) => (b.length < a.length ? b : a));
      if (aggregationLength < widest.length) {
        reader.issue(at('aggregation-length'), `${aggregationLength} is shorter than the prefix ${formatPrefix(widest)} of ${addressPaths[i]} ${JSON.stringify(block.text)}; a /${aggregationLength} would cover addresses outside the pool`);
      }
    });
  }
  const localPref = f.has('localpref') ? reader.integer(f.get('localpref')!, at('localpref'), 0, MAX_UINT32) : undefined;
  const communities = new Set<number>();
  if (f.has('communities')) {
    const texts = new Map<string, number>();
    reader.list(f.get('communities')!, at('communities')).forEach(([item, p], i) => {
      const text = reader.string(item, p);
      if (text === undefined) return;
      if (texts.has(text)) {
        reader.issue(p, `duplicate community ${JSON.stringify(text)} (also communities[${texts.get(text)}])`);
        return;
      }
      texts.set(text, i);
      const alias = aliases.get(text);
      if (alias !== undefined) {
        communities.add(alias);
        return;
      }
      try {
        communities.add(parseCommunity(text));
      } catch (error) {
        reader.issue(p, `${(error as Error).message}, and not a bgp-communities alias`);
      }
    });
  }
  if (reader.issues.length > before || aggregationLength === undefined || aggregationLengthV6 === undefined) return undefined;
  return {
    aggregationLength,
    aggregationLengthV6,
    ...(localPref !== undefined ? { localPref } : {}),
    communities: [...communities].sort((a, b) => a - b),
  };
}

// ---------------------------------------------------------------- helpers

function required<T>(reader: YamlReader, fields: Map<string, YamlValue>, path: string, field: string, read: (value: YamlValue, path: string) => T | undefined): T | undefined {
  if (!fields.has(field)) {
    reader.issue(`${path}.${field}`, 'is required');
    return undefined;
  }
  return read(fields.get(field)!, `${path}.${field}`);
}

function address(reader: YamlReader, node: YamlValue, path: string): string | undefined {
  const text = reader.string(node, path);
  if (text === undefined) return undefined;
  if (looksLikeIPv6(text)) {
    reader.issue(path, `${JSON.stringify(text)}: IPv6 is not supported by this speaker (IPv4 only)`);
    return undefined;
  }
  if (parseIPv4(text) === undefined) {
    reader.issue(path, `${JSON.stringify(text)} is not an IPv4 address`);
    return undefined;
  }
  return text;
}

function duration(reader: YamlReader, node: YamlValue, path: string): number | undefined {
  const text = reader.string(node, path);
  if (text === undefined) return undefined;
  try {
    // MetalLB truncates to whole seconds.
    return Math.trunc(parseGoDuration(text));
  } catch (error) {
    reader.issue(path, `${(error as Error).message} (Go duration, e.g. 90s or 1m30s)`);
    return undefined;
  }
}

function describeSeconds(seconds: number): string {
  return `${seconds}s`;
}
