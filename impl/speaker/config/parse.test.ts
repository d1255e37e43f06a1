import { describe, expect, it } from 'vitest';
import { ConfigError, parseAddressBlock, parseConfig } from './parse.ts';
import { parseCommunity } from '../../../lib/bgp-community.ts';

/** The issues a refused config reports (fails the test if the config is accepted). */
function issues(text: string): string[] {
  try {
    parseConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('config was accepted');
}

const PEER = `peers:
- peer-address: 198.18.0.1
  peer-asn: 64512
  my-asn: 64513
`;
const POOL = `address-pools:
- name: default
  protocol: bgp
  addresses: [198.19.0.0/24]
`;

describe('parseConfig: accepted configs', () => {
  it('parses the seed example with defaults filled in', () => {
    const config = parseConfig(PEER + POOL);
    expect(config.peers).toEqual([{
      index: 0, peerAddress: '198.18.0.1', peerAsn: 64512, myAsn: 64513, peerPort: 179,
      holdTimeSec: 90, keepaliveSec: 30, nodeSelectors: [{ matchLabels: {}, matchExpressions: [] }], ebgpMultihop: false,
    }]);
    expect(config.pools).toEqual([{
      name: 'default', protocol: 'bgp', autoAssign: true, avoidBuggyIps: false,
      addresses: [{ text: '198.19.0.0/24', first: 0xc6130000, last: 0xc61300ff, cidrs: [{ address: 0xc6130000, length: 24 }] }],
      bgpAdvertisements: [{ aggregationLength: 32, aggregationLengthV6: 128, communities: [] }],
    }]);
    expect(config.communities.size).toBe(0);
  });

  it('treats an empty document as an empty config', () => {
    expect(parseConfig('')).toEqual({ peers: [], pools: [], communities: new Map() });
    expect(parseConfig('# nothing\n')).toEqual({ peers: [], pools: [], communities: new Map() });
  });

  it('parses every peer field', () => {
    const config = parseConfig(`peers:
- peer-address: 198.18.0.1
  peer-asn: 4294967295
  my-asn: 1
  peer-port: 1790
  hold-time: 1m30s
  keepalive-time: 10s
  router-id: 10.0.0.9
  source-address: 198.18.0.10
  ebgp-multihop: true
  node-selectors:
  - match-labels: {rack: r1, kubernetes.io/hostname: node-1}
    match-expressions:
    - {key: zone, operator: In, values: [a, b]}
    - {key: gpu, operator: DoesNotExist}
  - match-expressions:
    - {key: role, operator: NotIn, values: [edge]}
    - {key: example.com/x, operator: Exists}
`);
    expect(config.peers[0]).toEqual({
      index: 0, peerAddress: '198.18.0.1', peerAsn: 4294967295, myAsn: 1, peerPort: 1790,
      holdTimeSec: 90, keepaliveSec: 10, routerId: '10.0.0.9', sourceAddress: '198.18.0.10', ebgpMultihop: true,
      nodeSelectors: [
        { matchLabels: { rack: 'r1', 'kubernetes.io/hostname': 'node-1' }, matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'gpu', operator: 'DoesNotExist', values: [] }] },
        { matchLabels: {}, matchExpressions: [
          { key: 'role', operator: 'NotIn', values: ['edge'] }, { key: 'example.com/x', operator: 'Exists', values: [] }] },
      ],
    });
  });

  it('accepts hold-time 0 (no keepalives) and truncates to whole seconds like MetalLB', () => {
    expect(parseConfig(`${PEER}  hold-time: 0s\n`).peers[0]).toMatchObject({ holdTimeSec: 0, keepaliveSec: 0 });
    expect(parseConfig(`${PEER}  hold-time: 9.9s\n`).peers[0]).toMatchObject({ holdTimeSec: 9, keepaliveSec: 3 });
    expect(parseConfig(`${PEER}  hold-time: "3s"\n`).peers[0]).toMatchObject({ holdTimeSec: 3, keepaliveSec: 1 });
  });

  it('treats peer-port 0 as the default 179', () => {
    expect(parseConfig(`${PEER}  peer-port: 0\n`).peers[0].peerPort).toBe(179);
  });

  it('parses ranges, CIDRs, auto-assign, avoid-buggy-ips, advertisements and community aliases', () => {
    const config = parseConfig(`
bgp-communities:
  no-export: 65535:65281
address-pools:
- name: ranges
  protocol: bgp
  auto-assign: false
  avoid-buggy-ips: yes
  addresses:
  - 198.19.1.10-198.19.1.20
  - 198.19.2.0 - 198.19.2.255
  bgp-advertisements:
  - aggregation-length: 30
    localpref: 100
    communities: [no-export, 64512:1]
  - aggregation-length-v6: 64
`);
    const pool = config.pools[0];
    expect(pool.autoAssign).toBe(false);
    expect(pool.avoidBuggyIps).toBe(true);
    expect(pool.addresses.map((b) => [b.first & 255, b.last & 255, b.cidrs.length])).toEqual([[10, 20, 4], [0, 255, 1]]);
    expect(pool.bgpAdvertisements).toEqual([
      { aggregationLength: 30, aggregationLengthV6: 128, localPref: 100, communities: [parseCommunity('64512:1'), parseCommunity('65535:65281')] },
      { aggregationLength: 32, aggregationLengthV6: 64, communities: [] },
    ]);
    expect(config.communities.get('no-export')).toBe(0xffffff01);
  });

  it('keeps pools in config order', () => {
    const config = parseConfig(`address-pools:
- {name: z, protocol: bgp, addresses: [198.19.9.0/24]}
- {name: a, protocol: bgp, addresses: [198.19.1.0/24]}
`);
    expect(config.pools.map((p) => p.name)).toEqual(['z', 'a']);
  });

  it('accepts an explicitly empty bfd-profiles list and null sections', () => {
    expect(parseConfig('bfd-profiles: []\npeers:\naddress-pools: ~\n')).toEqual({ peers: [], pools: [], communities: new Map() });
  });

  it('follows YAML anchors and aliases', () => {
    const config = parseConfig(`peers:
- &p {peer-address: 198.18.0.1, peer-asn: 64512, my-asn: 64512}
- {peer-address: 198.18.0.2, peer-asn: 64512, my-asn: 64512}
`);
    expect(config.peers.map((p) => p.peerAddress)).toEqual(['198.18.0.1', '198.18.0.2']);
  });

  it('allows aggregation up to the pool prefix length', () => {
    expect(parseConfig(`address-pools:
- {name: a, protocol: bgp, addresses: [198.19.0.0/24], bgp-advertisements: [{aggregation-length: 24}]}`).pools[0].bgpAdvertisements[0].aggregationLength).toBe(24);
  });
});

describe('parseConfig: refused configs name the field', () => {
  const cases: Array<[string, string, string]> = [
    ['unknown top-level key', 'peerz: []\n', 'peerz: unknown field (known fields: peers, bgp-communities, address-pools, bfd-profiles)'],
    ['unknown peer key', `${PEER}  peer-adress: 1.2.3.4\n`, 'peers[0].peer-adress: unknown field'],
    ['unknown pool key', `${POOL}  autoassign: true\n`, 'address-pools[0].autoassign: unknown field'],
    ['unknown advertisement key', `${POOL}  bgp-advertisements: [{local-pref: 1}]\n`, 'address-pools[0].bgp-advertisements[0].local-pref: unknown field'],
    ['unknown selector key', `${PEER}  node-selectors: [{matchLabels: {a: b}}]\n`, 'peers[0].node-selectors[0].matchLabels: unknown field'],
    ['missing peer-address', 'peers:\n- {peer-asn: 1, my-asn: 2}\n', 'peers[0].peer-address: is required'],
    ['missing peer-asn', 'peers:\n- {peer-address: 198.18.0.1, my-asn: 2}\n', 'peers[0].peer-asn: is required'],
    ['missing my-asn', 'peers:\n- {peer-address: 198.18.0.1, peer-asn: 2}\n', 'peers[0].my-asn: is required'],
    ['peer ASN 0', 'peers:\n- {peer-address: 198.18.0.1, peer-asn: 0, my-asn: 2}\n', 'peers[0].peer-asn: 0 is out of range (1..4294967295)'],
    ['my ASN above 2^32-1', 'peers:\n- {peer-address: 198.18.0.1, peer-asn: 1, my-asn: 4294967296}\n', 'peers[0].my-asn: 4294967296 is out of range (1..4294967295)'],
    ['ASN not a number', 'peers:\n- {peer-address: 198.18.0.1, peer-asn: sixty, my-asn: 1}\n', 'peers[0].peer-asn: expected an integer, got "sixty"'],
    ['ASN quoted', 'peers:\n- {peer-address: 198.18.0.1, peer-asn: "1", my-asn: 1}\n', 'peers[0].peer-asn: expected an integer, got the quoted string "1"'],
    ['bad peer address', 'peers:\n- {peer-address: 198.18.0.256, peer-asn: 1, my-asn: 1}\n', 'peers[0].peer-address: "198.18.0.256" is not an IPv4 address'],
    ['IPv6 peer address', 'peers:\n- {peer-address: "fd00::1", peer-asn: 1, my-asn: 1}\n', 'peers[0].peer-address: "fd00::1": IPv6 is not supported by this speaker (IPv4 only)'],
    ['bad router-id', `${PEER}  router-id: router1\n`, 'peers[0].router-id: "router1" is not an IPv4 address'],
    ['bad source-address', `${PEER}  source-address: 1.2.3\n`, 'peers[0].source-address: "1.2.3" is not an IPv4 address'],
    ['peer-port out of range', `${PEER}  peer-port: 65536\n`, 'peers[0].peer-port: 65536 is out of range (0..65535)'],
    ['hold-time without unit', `${PEER}  hold-time: 90\n`, 'peers[0].hold-time: missing unit in duration "90" (Go duration, e.g. 90s or 1m30s)'],
    ['hold-time unknown unit', `${PEER}  hold-time: 90sec\n`, 'peers[0].hold-time: unknown unit "sec" in duration "90sec" (use ns, us, ms, s, m, h) (Go duration, e.g. 90s or 1m30s)'],
    ['hold-time garbage', `${PEER}  hold-time: soon\n`, 'peers[0].hold-time: invalid duration "soon" (Go duration, e.g. 90s or 1m30s)'],
    ['hold-time too short', `${PEER}  hold-time: 2s\n`, 'peers[0].hold-time: 2s is too short: must be 0 or at least 3s'],
    ['hold-time negative', `${PEER}  hold-time: -10s\n`, 'peers[0].hold-time: -10s is too short: must be 0 or at least 3s'],
    ['keepalive longer than hold', `${PEER}  hold-time: 9s\n  keepalive-time: 10s\n`, 'peers[0].keepalive-time: 10s is longer than the hold-time 9s'],
    ['password', `${PEER}  password: secret\n`, 'peers[0].password: TCP-MD5 authentication is not implemented by this speaker; remove the field'],
    ['bfd-profile', `${PEER}  bfd-profile: fast\n`, 'peers[0].bfd-profile: BFD is not implemented by this speaker; remove the field'],
    ['bfd-profiles section', 'bfd-profiles:\n- name: fast\n', 'bfd-profiles: BFD is not implemented by this speaker; remove the section'],
    ['ebgp-multihop on iBGP', 'peers:\n- {peer-address: 198.18.0.1, peer-asn: 7, my-asn: 7, ebgp-multihop: true}\n', 'peers[0].ebgp-multihop: is invalid for an iBGP peer (peer-asn equals my-asn)'],
    ['ebgp-multihop not boolean', `${PEER}  ebgp-multihop: maybe\n`, 'peers[0].ebgp-multihop: expected true or false, got "maybe"'],
    ['duplicate peer', `${PEER}- peer-address: 198.18.0.1\n  peer-asn: 64512\n  my-asn: 64513\n`, 'peers[1]: duplicates peers[0] (same peer-address 198.18.0.1 and settings)'],
    ['bad operator', `${PEER}  node-selectors: [{match-expressions: [{key: a, operator: Equals, values: [b]}]}]\n`, 'peers[0].node-selectors[0].match-expressions[0].operator: "Equals" is not an operator (use In, NotIn, Exists or DoesNotExist)'],
    ['In without values', `${PEER}  node-selectors: [{match-expressions: [{key: a, operator: In}]}]\n`, 'peers[0].node-selectors[0].match-expressions[0].values: must be non-empty for operator In'],
    ['Exists with values', `${PEER}  node-selectors: [{match-expressions: [{key: a, operator: Exists, values: [x]}]}]\n`, 'peers[0].node-selectors[0].match-expressions[0].values: must be empty for operator Exists'],
    ['missing key', `${PEER}  node-selectors: [{match-expressions: [{operator: Exists}]}]\n`, 'peers[0].node-selectors[0].match-expressions[0].key: is required'],
    ['bad label key', `${PEER}  node-selectors: [{match-labels: {"-bad": x}}]\n`, 'peers[0].node-selectors[0].match-labels.-bad: label key "-bad" is invalid'],
    ['bad label value', `${PEER}  node-selectors: [{match-labels: {rack: "a b"}}]\n`, 'peers[0].node-selectors[0].match-labels.rack: label value "a b" is invalid'],
    ['peers not a list', 'peers: {peer-address: 1.2.3.4}\n', 'peers: expected a list, got a mapping'],
    ['peer not a mapping', 'peers: [198.18.0.1]\n', 'peers[0]: expected a mapping, got "198.18.0.1"'],
    ['missing pool name', 'address-pools:\n- {protocol: bgp, addresses: [198.19.0.0/24]}\n', 'address-pools[0].name: is required'],
    ['empty pool name', 'address-pools:\n- {name: "", protocol: bgp, addresses: [198.19.0.0/24]}\n', 'address-pools[0].name: must not be empty'],
    ['duplicate pool name', `${POOL}- {name: default, protocol: bgp, addresses: [198.19.1.0/24]}\n`, 'address-pools[1].name: duplicate pool name "default" (also address-pools[0])'],
    ['missing protocol', 'address-pools:\n- {name: a, addresses: [198.19.0.0/24]}\n', 'address-pools[0].protocol: is required'],
    ['unknown protocol', 'address-pools:\n- {name: a, protocol: ospf, addresses: [198.19.0.0/24]}\n', 'address-pools[0].protocol: unknown protocol "ospf" (expected bgp or layer2)'],
    ['layer2 pool', 'address-pools:\n- {name: a, protocol: layer2, addresses: [198.19.0.0/24]}\n', 'address-pools[0].protocol: "layer2" is not implemented by this speaker (BGP only); use protocol: bgp'],
    ['localpref on a layer2 pool', 'address-pools:\n- {name: a, protocol: layer2, addresses: [198.19.0.0/24], bgp-advertisements: [{localpref: 100}]}\n', 'address-pools[0].bgp-advertisements: not allowed in a layer2 pool (aggregation-length, localpref and communities are BGP settings)'],
    ['no addresses', 'address-pools:\n- {name: a, protocol: bgp}\n', 'address-pools[0].addresses: is required: the pool has no addresses'],
    ['empty addresses', 'address-pools:\n- {name: a, protocol: bgp, addresses: []}\n', 'address-pools[0].addresses: must not be empty: the pool has no addresses'],
    ['bad CIDR', 'address-pools:\n- {name: a, protocol: bgp, addresses: [198.19.0.0/33]}\n', 'address-pools[0].addresses[0]: "198.19.0.0/33" is neither a CIDR (a.b.c.d/n) nor a range (a.b.c.d-e.f.g.h)'],
    ['reversed range', 'address-pools:\n- {name: a, protocol: bgp, addresses: [198.19.0.9-198.19.0.1]}\n', 'address-pools[0].addresses[0]: "198.19.0.9-198.19.0.1" is not a valid range: the start address is after the end address'],
    ['bad range end', 'address-pools:\n- {name: a, protocol: bgp, addresses: [198.19.0.1-x]}\n', 'address-pools[0].addresses[0]: "198.19.0.1-x" is not a valid range: invalid end address "x"'],
    ['IPv6 pool', 'address-pools:\n- {name: a, protocol: bgp, addresses: ["fd00::/64"]}\n', 'address-pools[0].addresses[0]: "fd00::/64": IPv6 addresses are not supported by this speaker (IPv4 only)'],
    ['overlapping CIDRs across pools', `address-pools:
- {name: default, protocol: bgp, addresses: [198.19.0.0/23]}
- {name: other, protocol: bgp, addresses: [198.19.0.0/24]}
`, 'address-pools[1].addresses[0]: "198.19.0.0/24" overlaps pool "default" (198.19.0.0/23)'],
    ['range overlapping a CIDR', `address-pools:
- {name: default, protocol: bgp, addresses: [198.19.0.0/24]}
- {name: other, protocol: bgp, addresses: [198.19.1.0/24, 198.19.0.250-198.19.1.5]}
`, 'address-pools[1].addresses[1]: "198.19.0.250-198.19.1.5" overlaps pool "default" (198.19.0.0/24)'],
    ['overlap within one pool', 'address-pools:\n- {name: a, protocol: bgp, addresses: [198.19.0.0/24, 198.19.0.128/25]}\n', 'address-pools[0].addresses[1]: "198.19.0.128/25" overlaps pool "a" (198.19.0.0/24)'],
    ['aggregation-length above 32', `${POOL}  bgp-advertisements: [{aggregation-length: 33}]\n`, 'address-pools[0].bgp-advertisements[0].aggregation-length: 33 is out of range (0..32)'],
    ['aggregation-length wider than the pool', `${POOL}  bgp-advertisements: [{aggregation-length: 16}]\n`, 'address-pools[0].bgp-advertisements[0].aggregation-length: 16 is shorter than the prefix 198.19.0.0/24 of addresses[0] "198.19.0.0/24"; a /16 would cover addresses outside the pool'],
    ['aggregation-length-v6 above 128', `${POOL}  bgp-advertisements: [{aggregation-length-v6: 129}]\n`, 'address-pools[0].bgp-advertisements[0].aggregation-length-v6: 129 is out of range (0..128)'],
    ['localpref too large', `${POOL}  bgp-advertisements: [{localpref: 4294967296}]\n`, 'address-pools[0].bgp-advertisements[0].localpref: 4294967296 is out of range (0..4294967295)'],
    ['bad community', `${POOL}  bgp-advertisements: [{communities: ["65536:1"]}]\n`, 'address-pools[0].bgp-advertisements[0].communities[0]: "65536:1" is not a community (expected a:b with a and b in 0..65535), and not a bgp-communities alias'],
    ['unknown alias', `${POOL}  bgp-advertisements: [{communities: [gold]}]\n`, 'address-pools[0].bgp-advertisements[0].communities[0]: "gold" is not a community (expected a:b with a and b in 0..65535), and not a bgp-communities alias'],
    ['large community', `${POOL}  bgp-advertisements: [{communities: ["1:2:3"]}]\n`, 'address-pools[0].bgp-advertisements[0].communities[0]: "1:2:3" looks like a large community, which this speaker does not support (use a:b), and not a bgp-communities alias'],
    ['duplicate community', `${POOL}  bgp-advertisements: [{communities: ["1:2", "1:2"]}]\n`, 'address-pools[0].bgp-advertisements[0].communities[1]: duplicate community "1:2" (also communities[0])'],
    ['duplicate advertisement', `${POOL}  bgp-advertisements: [{localpref: 1}, {localpref: 2}, {localpref: 1}]\n`, 'address-pools[0].bgp-advertisements[2]: duplicates bgp-advertisements[0]'],
    ['bad alias value', 'bgp-communities:\n  gold: "1"\n', 'bgp-communities.gold: "1" is not a community (expected a:b with a and b in 0..65535)'],
    ['auto-assign not boolean', `${POOL}  auto-assign: sometimes\n`, 'address-pools[0].auto-assign: expected true or false, got "sometimes"'],
    ['YAML syntax error', 'peers: [a: b\n', 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1'],
    ['duplicate YAML key', 'peers: []\npeers: []\n', 'invalid YAML: Map keys must be unique at line 2, column 1'],
    ['top level not a mapping', '- a\n', ': expected a mapping, got a list'],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const found = issues(text);
    expect(found.some((issue) => issue.startsWith(expected)), `expected an issue starting with\n  ${expected}\ngot\n  ${found.join('\n  ')}`).toBe(true);
  });

  it('reports every problem, not only the first', () => {
    const found = issues(`peers:
- {peer-address: 198.18.0.1, peer-asn: 0, my-asn: 1, password: x}
address-pools:
- {name: a, protocol: bgp, addresses: [198.19.0.0/24]}
- {name: a, protocol: bgp, addresses: [198.19.0.0/25]}
`);
    expect(found).toHaveLength(4);
    const error = (() => { try { parseConfig('peerz: 1\nfoo: 2\n'); } catch (e) { return e as ConfigError; } })();
    expect(error?.message).toBe('peerz: unknown field (known fields: peers, bgp-communities, address-pools, bfd-profiles); foo: unknown field (known fields: peers, bgp-communities, address-pools, bfd-profiles)');
  });
});

describe('address blocks', () => {
  it('summarises a range into the fewest prefixes', () => {
    const block = parseAddressBlock('198.19.0.1-198.19.0.6');
    expect(typeof block).toBe('object');
    if (typeof block === 'string') return;
    expect(block.cidrs.map((c) => `${c.address & 255}/${c.length}`)).toEqual(['1/32', '2/31', '4/31', '6/32']);
  });

  it('clears host bits of a CIDR as Go does', () => {
    const block = parseAddressBlock('198.19.0.77/24');
    if (typeof block === 'string') throw new Error(block);
    expect([block.first & 255, block.last & 255]).toEqual([0, 255]);
  });
});
