import { describe, expect, it } from 'vitest';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { announcements, hasReadyEndpoint, planAnnouncements, routesForPeer, selectedPeers, type NodeInfo } from './announcements.ts';
import { parseConfig } from '../config/parse.ts';

const config = parseConfig(`
bgp-communities:
  gold: 64512:100
peers:
- {peer-address: 198.18.0.1, peer-asn: 64512, my-asn: 64513}
- {peer-address: 198.18.0.2, peer-asn: 64513, my-asn: 64513, node-selectors: [{match-labels: {rack: r1}}]}
- peer-address: 198.18.0.3
  peer-asn: 64514
  my-asn: 64513
  node-selectors:
  - match-expressions: [{key: rack, operator: In, values: [r2, r3]}]
  - match-labels: {edge: "true"}
address-pools:
- name: default
  protocol: bgp
  addresses: [198.19.0.0/24]
- name: aggregated
  protocol: bgp
  addresses: [198.19.1.0/24]
  bgp-advertisements:
  - {aggregation-length: 24, localpref: 200, communities: [gold, "65535:65281"]}
  - {aggregation-length: 32, communities: [gold]}
- name: pref
  protocol: bgp
  addresses: [198.19.2.0/24]
  bgp-advertisements:
  - {aggregation-length: 32, localpref: 50, communities: ["1:1"]}
  - {aggregation-length: 32, localpref: 150, communities: ["2:2"]}
`);

const node1: NodeInfo = { name: 'node-1', labels: { rack: 'r1' } };

function svc(name: string, ip: string | undefined, etp: 'Local' | 'Cluster' = 'Cluster', extra: Partial<V1Service['spec']> = {}): V1Service {
  return {
    metadata: { namespace: 'ns', name },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: etp, ports: [{ port: 80 }], ...extra },
    status: { loadBalancer: { ingress: ip ? [{ ip }] : [] } },
  };
}

function slice(service: string, endpoints: Array<{ node: string; ready?: boolean | null }>, name = `${service}-abc`): V1EndpointSlice {
  return {
    addressType: 'IPv4',
    metadata: { namespace: 'ns', name, labels: { 'kubernetes.io/service-name': service } },
    endpoints: endpoints.map((e, i) => ({
      addresses: [`198.18.64.${i + 10}`], nodeName: e.node,
      ...(e.ready === null ? {} : { conditions: { ready: e.ready ?? true } }),
    })),
  };
}

describe('announcements', () => {
  it('announces a Cluster Service /32 from every node while any endpoint anywhere is ready', () => {
    const routes = announcements(config, [svc('web', '198.19.0.5')], [slice('web', [{ node: 'node-2' }])], node1);
    expect(routes).toEqual(new Map([['198.19.0.5/32', {}]]));
  });

  it('withdraws a Cluster Service with zero ready endpoints', () => {
    const plan = planAnnouncements(config, [svc('web', '198.19.0.5')], [slice('web', [{ node: 'node-1', ready: false }])], node1);
    expect(plan.routes.size).toBe(0);
    expect(plan.notAnnounced.get('ns/web')).toBe('noEndpoints');
    expect(announcements(config, [svc('web', '198.19.0.5')], [], node1).size).toBe(0);
    expect(announcements(config, [svc('web', '198.19.0.5')], [slice('web', [])], node1).size).toBe(0);
  });

  it('announces a Local Service only from nodes with a ready local endpoint', () => {
    const slices = [slice('web', [{ node: 'node-1' }, { node: 'node-2', ready: false }])];
    expect(announcements(config, [svc('web', '198.19.0.5', 'Local')], slices, node1).has('198.19.0.5/32')).toBe(true);
    const plan = planAnnouncements(config, [svc('web', '198.19.0.5', 'Local')], slices, { name: 'node-2', labels: {} });
    expect(plan.routes.size).toBe(0);
    expect(plan.notAnnounced.get('ns/web')).toBe('noLocalEndpoints');
    expect(announcements(config, [svc('web', '198.19.0.5', 'Local')], slices, { name: 'node-3', labels: {} }).size).toBe(0);
  });

  it('counts an endpoint without a ready condition as ready, and looks across all slices of the Service', () => {
    expect(hasReadyEndpoint([slice('web', [{ node: 'node-1', ready: null }])], 'node-1')).toBe(true);
    const slices = [slice('web', [{ node: 'node-2' }], 'web-1'), slice('web', [{ node: 'node-1' }], 'web-2')];
    expect(announcements(config, [svc('web', '198.19.0.5', 'Local')], slices, node1).size).toBe(1);
  });

  it('does not mix up Services: slices belong to their own Service and namespace', () => {
    const other = slice('other', [{ node: 'node-1' }]);
    const wrongNamespace = { ...slice('web', [{ node: 'node-1' }]), metadata: { namespace: 'elsewhere', name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } } };
    expect(announcements(config, [svc('web', '198.19.0.5')], [other, wrongNamespace], node1).size).toBe(0);
  });

  it('ignores Services without an address, non-LoadBalancers, other classes and addresses outside the pools', () => {
    const slices = ['a', 'b', 'c', 'd'].map((s) => slice(s, [{ node: 'node-1' }]));
    const plan = planAnnouncements(config, [
      svc('a', undefined),
      { ...svc('b', '198.19.0.6'), spec: { type: 'ClusterIP' } },
      svc('c', '198.19.0.7', 'Cluster', { loadBalancerClass: 'example.com/other' }),
      svc('d', '203.0.113.9'),
    ], slices, node1);
    expect(plan.routes.size).toBe(0);
    expect(plan.notAnnounced).toEqual(new Map([['ns/d', 'notInAnyPool']]));
  });

  it('aggregates and attaches communities (aliases resolved) and localpref from the pool advertisements', () => {
    const plan = planAnnouncements(config, [svc('a', '198.19.1.7'), svc('b', '198.19.1.9')], [slice('a', [{ node: 'x' }]), slice('b', [{ node: 'x' }])], node1);
    expect(plan.routes).toEqual(new Map([
      ['198.19.1.0/24', { localPref: 200, communities: [4227858532, 4294967041] }],
      ['198.19.1.7/32', { communities: [4227858532] }],
      ['198.19.1.9/32', { communities: [4227858532] }],
    ]));
    expect(plan.announced.get('ns/a')).toEqual({ address: '198.19.1.7', pool: 'aggregated', prefixes: ['198.19.1.0/24', '198.19.1.7/32'] });
  });

  it('merges two advertisements of the same prefix: communities united, highest localpref', () => {
    const routes = announcements(config, [svc('a', '198.19.2.1')], [slice('a', [{ node: 'x' }])], node1);
    expect(routes).toEqual(new Map([['198.19.2.1/32', { localPref: 150, communities: [65537, 131074] }]]));
  });

  it('announces a shared address once while any of its Services qualifies', () => {
    const services = [svc('http', '198.19.0.9', 'Local', { selector: { app: 'x' } }), svc('dns', '198.19.0.9', 'Local', { selector: { app: 'x' } })];
    const onlyDnsLocal = [slice('http', [{ node: 'node-2' }]), slice('dns', [{ node: 'node-1' }])];
    const plan = planAnnouncements(config, services, onlyDnsLocal, node1);
    expect(plan.routes).toEqual(new Map([['198.19.0.9/32', {}]]));
    expect([...plan.announced.keys()]).toEqual(['ns/dns']);
    expect(plan.notAnnounced.get('ns/http')).toBe('noLocalEndpoints');
    expect(announcements(config, services, [slice('http', [{ node: 'node-2' }])], node1).size).toBe(0);
  });
});

describe('peers of a node', () => {
  it('selects peers by node-selectors (no selector: every node; selectors ORed)', () => {
    const addresses = (labels: Record<string, string>) => selectedPeers(config, { name: 'n', labels }).map((p) => p.peerAddress);
    expect(addresses({ rack: 'r1' })).toEqual(['198.18.0.1', '198.18.0.2']);
    expect(addresses({ rack: 'r3' })).toEqual(['198.18.0.1', '198.18.0.3']);
    expect(addresses({ edge: 'true' })).toEqual(['198.18.0.1', '198.18.0.3']);
    expect(addresses({})).toEqual(['198.18.0.1']);
  });

  it('gives LOCAL_PREF to iBGP peers only', () => {
    const routes = new Map([['198.19.1.0/24', { localPref: 200, communities: [1] }]]);
    const [ebgp, ibgp] = config.peers;
    expect(routesForPeer(ebgp, routes)).toEqual(new Map([['198.19.1.0/24', { communities: [1] }]]));
    expect(routesForPeer(ibgp, routes)).toEqual(routes);
  });
});
