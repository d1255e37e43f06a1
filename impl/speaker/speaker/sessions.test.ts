import { describe, expect, it } from 'vitest';
import type { RouteAttributes, SessionConfig } from '../bgp/session.ts';
import { PeerSessions, sessionIdentity, type AnnouncingSession } from './sessions.ts';
import { planAnnouncements, planPeers } from './announcements.ts';
import { parseConfig } from '../config/parse.ts';

/** Records what the speaker asks of a session; keeps routes like BgpSession's Adj-RIB-Out. */
class FakeSession implements AnnouncingSession {
  readonly config: SessionConfig;
  readonly calls: string[] = [];
  state = 'Idle';
  private readonly routes = new Map<string, RouteAttributes>();
  constructor(config: SessionConfig) {
    this.config = config;
  }
  start(): void {
    this.calls.push('start');
    this.state = 'Connect';
  }
  stop(reason?: string): Promise<void> {
    this.calls.push(`stop ${reason}`);
    this.state = 'Idle';
    return Promise.resolve();
  }
  announce(prefix: string, attributes: RouteAttributes = {}): void {
    this.calls.push(`announce ${prefix} ${JSON.stringify(attributes)}`);
    this.routes.set(prefix, attributes);
  }
  withdraw(prefix: string): void {
    this.calls.push(`withdraw ${prefix}`);
    this.routes.delete(prefix);
  }
  announced(): Map<string, RouteAttributes> {
    return new Map(this.routes);
  }
}

function harness() {
  const created: FakeSession[] = [];
  const log: string[] = [];
  const sessions = new PeerSessions((config) => {
    const session = new FakeSession(config);
    created.push(session);
    return session;
  }, (line) => log.push(line));
  return { sessions, created, log };
}

const base: SessionConfig = { peerAddress: '198.18.0.1', peerPort: 179, myAsn: 64513, peerAsn: 64512, routerId: '198.18.0.10', holdTimeSec: 90, keepaliveSec: 30 };

describe('PeerSessions', () => {
  it('starts one session per wanted peer and announces its routes', () => {
    const { sessions, created } = harness();
    sessions.sync([{ name: '198.18.0.1:179', config: base, routes: new Map([['198.19.0.1/32', { communities: [1] }]]) }]);
    expect(created).toHaveLength(1);
    expect(created[0].calls).toEqual(['start', 'announce 198.19.0.1/32 {"communities":[1]}']);
    expect(sessions.states()).toEqual([{ peer: '198.18.0.1:179', state: 'Connect', routes: 1 }]);
  });

  it('diffs routes: withdraws what is gone, announces what is new or changed, leaves the rest', () => {
    const { sessions, created } = harness();
    sessions.sync([{ name: 'p', config: base, routes: new Map([['198.19.0.1/32', {}], ['198.19.0.2/32', {}], ['198.19.0.3/32', { localPref: 1 }]]) }]);
    created[0].calls.length = 0;
    sessions.sync([{ name: 'p', config: base, routes: new Map([['198.19.0.1/32', {}], ['198.19.0.3/32', { localPref: 2 }], ['198.19.0.4/32', {}]]) }]);
    expect(created[0].calls).toEqual(['withdraw 198.19.0.2/32', 'announce 198.19.0.3/32 {"localPref":2}', 'announce 198.19.0.4/32 {}']);
  });

  it('keeps sessions and routes untouched when a peer is added (config update stays stable)', () => {
    const { sessions, created } = harness();
    const routes = new Map([['198.19.0.1/32', {}]]);
    sessions.sync([{ name: 'a', config: base, routes }]);
    created[0].calls.length = 0;
    sessions.sync([{ name: 'a', config: { ...base }, routes: new Map(routes) }, { name: 'b', config: { ...base, peerAddress: '198.18.0.2' }, routes }]);
    expect(created).toHaveLength(2);
    expect(created[0].calls).toEqual([]);
    expect(created[1].calls).toEqual(['start', 'announce 198.19.0.1/32 {}']);
  });

  it('restarts a session whose settings changed and stops removed peers', () => {
    const { sessions, created, log } = harness();
    sessions.sync([{ name: 'a', config: base, routes: new Map() }, { name: 'b', config: { ...base, peerAddress: '198.18.0.2' }, routes: new Map() }]);
    sessions.sync([{ name: 'a', config: { ...base, holdTimeSec: 9, keepaliveSec: 3 }, routes: new Map() }]);
    expect(created).toHaveLength(3);
    expect(created[0].calls).toEqual(['start', 'stop peer deconfigured']);
    expect(created[1].calls).toEqual(['start', 'stop peer deconfigured']);
    expect(created[2].config.holdTimeSec).toBe(9);
    expect(log.filter((l) => l.includes('stopping'))).toHaveLength(2);
  });

  it('stops everything on shutdown', async () => {
    const { sessions, created } = harness();
    sessions.sync([{ name: 'a', config: base, routes: new Map() }]);
    await sessions.stopAll('speaker shutting down');
    expect(created[0].calls).toEqual(['start', 'stop speaker shutting down']);
    expect(sessions.states()).toEqual([]);
  });

  it('ignores the logger when comparing settings', () => {
    expect(sessionIdentity({ ...base, logger: () => {} })).toBe(sessionIdentity(base));
    expect(sessionIdentity({ ...base, localAddress: '198.18.0.10' })).not.toBe(sessionIdentity(base));
  });
});

describe('planPeers', () => {
  const config = parseConfig(`
peers:
- {peer-address: 198.18.0.1, peer-asn: 64512, my-asn: 64513}
- {peer-address: 198.18.0.1, peer-asn: 64512, my-asn: 64513, hold-time: 30s, node-selectors: [{match-labels: {rack: r1}}]}
- {peer-address: 198.18.0.5, peer-port: 1179, peer-asn: 64513, my-asn: 64513, router-id: 10.9.9.9, source-address: 198.18.0.11, hold-time: 9s, keepalive-time: 2s}
address-pools:
- {name: default, protocol: bgp, addresses: [198.19.0.0/24], bgp-advertisements: [{localpref: 300}]}
`);
  const routes = planAnnouncements(config, [{
    metadata: { namespace: 'ns', name: 'web' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '198.19.0.4' }] } },
  }], [{ addressType: 'IPv4', metadata: { namespace: 'ns', labels: { 'kubernetes.io/service-name': 'web' } }, endpoints: [{ addresses: ['198.18.64.2'], nodeName: 'node-1' }] }],
  { name: 'node-1', labels: {} }).routes;

  it('builds session settings from the peer and the node address', () => {
    const { peers, problems } = planPeers(config, routes, { name: 'node-1', labels: {} }, '198.18.0.10');
    expect(problems).toEqual([]);
    expect(peers.map((p) => [p.name, p.config])).toEqual([
      ['198.18.0.1:179', { peerAddress: '198.18.0.1', peerPort: 179, myAsn: 64513, peerAsn: 64512, routerId: '198.18.0.10', holdTimeSec: 90, keepaliveSec: 30 }],
      ['198.18.0.5:1179', { peerAddress: '198.18.0.5', peerPort: 1179, localAddress: '198.18.0.11', myAsn: 64513, peerAsn: 64513, routerId: '10.9.9.9', holdTimeSec: 9, keepaliveSec: 2 }],
    ]);
    expect(peers[0].routes).toEqual(new Map([['198.19.0.4/32', {}]]));
    expect(peers[1].routes).toEqual(new Map([['198.19.0.4/32', { localPref: 300 }]]));
  });

  it('skips a second selected peer that would dial the same address and port', () => {
    const { peers, problems } = planPeers(config, routes, { name: 'node-1', labels: { rack: 'r1' } }, '198.18.0.10');
    expect(peers.map((p) => p.peer.index)).toEqual([0, 2]);
    expect(problems).toEqual(['peers[1] (198.18.0.1:179) would dial the same peer as peers[0] from this node; skipped']);
  });

  it('cannot peer without a router-id when the node address is unknown', () => {
    const { peers, problems } = planPeers(config, routes, { name: 'node-1', labels: {} }, undefined);
    expect(peers.map((p) => p.peer.index)).toEqual([2]);
    expect(problems).toEqual(["peers[0] (198.18.0.1:179): no router-id configured and the node's address is unknown; not peering"]);
  });
});
