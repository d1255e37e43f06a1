import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Balancer } from './balancer.ts';
import { EndpointDirectory, type Endpoint } from './endpoints.ts';

const service: V1Service = {
  metadata: { name: 'web', namespace: 'shop' },
  spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'admin', port: 9000 }] },
};

function slice(name: string, endpoints: { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean }[], ports = [{ name: 'http', port: 8080 }, { name: 'admin', port: 9090 }]): V1EndpointSlice {
  return {
    metadata: { name, namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports,
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating } })),
  };
}

const keys = (result: ReturnType<EndpointDirectory['resolve']>) => (result.ok ? result.endpoints.map((e) => e.key) : result.reason);

describe('EndpointDirectory', () => {
  it('resolves a numbered and a named Service port to the slice port of the same name', () => {
    const dir = new EndpointDirectory([service], [slice('a', [{ ip: '198.18.64.2' }, { ip: '198.18.64.3', ready: true }])]);
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 80 }))).toEqual(['198.18.64.2:8080', '198.18.64.3:8080']);
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 'http' }))).toEqual(['198.18.64.2:8080', '198.18.64.3:8080']);
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 9000 }))).toEqual(['198.18.64.2:9090', '198.18.64.3:9090']);
  });

  it('leaves out endpoints that are not ready, merges slices and removes duplicates', () => {
    const dir = new EndpointDirectory([service], [
      slice('a', [{ ip: '198.18.64.2' }, { ip: '198.18.64.4', ready: false }]),
      slice('b', [{ ip: '198.18.65.2', ready: true }, { ip: '198.18.64.2', ready: true }]),
    ]);
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 'http' }))).toEqual(['198.18.64.2:8080', '198.18.65.2:8080']);
  });

  it('falls back to serving-and-terminating endpoints only when none is ready', () => {
    const dir = new EndpointDirectory([service], [slice('a', [
      { ip: '198.18.64.2', ready: false, serving: true, terminating: true },
      { ip: '198.18.64.3', ready: false, serving: false, terminating: true },
    ])]);
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 80 }))).toEqual(['198.18.64.2:8080']);
  });

  it('explains every 503', () => {
    const dir = new EndpointDirectory([service, { metadata: { name: 'ext', namespace: 'shop' }, spec: { type: 'ExternalName', externalName: 'x.example' } }],
      [slice('a', [{ ip: '198.18.64.2', ready: false }])]);
    expect(dir.resolve({ namespace: 'shop', service: 'gone', port: 80 })).toMatchObject({ ok: false, status: 503, reason: 'Service shop/gone does not exist' });
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 81 }))).toBe('Service shop/web has no port 81 (ports: http/80, admin/9000)');
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 'grpc' }))).toContain('no port named "grpc"');
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 80 }))).toBe('Service shop/web port 80 has no ready endpoint');
    expect(keys(dir.resolve({ namespace: 'shop', service: 'ext', port: 80 }))).toContain('ExternalName');
    expect(keys(dir.resolve({ namespace: 'other', service: 'web', port: 80 }))).toBe('Service other/web does not exist');
  });

  it('matches an unnamed single port by the empty name', () => {
    const single: V1Service = { metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } };
    const dir = new EndpointDirectory([single], [slice('a', [{ ip: '198.18.64.2' }], [{ port: 8080 } as { name: string; port: number }])]);
    expect(keys(dir.resolve({ namespace: 'shop', service: 'web', port: 80 }))).toEqual(['198.18.64.2:8080']);
  });
});

describe('Balancer', () => {
  const endpoints: Endpoint[] = ['a', 'b', 'c'].map((n, i) => ({ address: `198.18.64.${i + 2}`, port: 80, key: n, pod: n }));

  it('round-robin visits every endpoint in turn and skips excluded ones', () => {
    const balancer = new Balancer('round-robin');
    expect(Array.from({ length: 6 }, () => balancer.pick('svc', endpoints)!.key)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(balancer.pick('svc', endpoints, new Set(['a']))!.key).toBe('b');
    expect(balancer.pick('svc', endpoints, new Set(['a', 'b', 'c']))).toBeUndefined();
    expect(balancer.pick('other', [])).toBeUndefined();
  });

  it('passes over an ejected endpoint unless it is the only one left', () => {
    const balancer = new Balancer('round-robin');
    balancer.eject(endpoints[1], 60_000);
    expect(Array.from({ length: 4 }, () => balancer.pick('svc', endpoints)!.key)).toEqual(['a', 'c', 'a', 'c']);
    expect(balancer.pick('svc', endpoints, new Set(['a', 'c']))!.key).toBe('b');
    balancer.eject(endpoints[1], -1);
    // ejection over: b is in the rotation again (which went on from b)
    expect(Array.from({ length: 3 }, () => balancer.pick('svc', endpoints)!.key)).toEqual(['c', 'a', 'b']);
  });

  it('least-request prefers the endpoint with fewest requests in flight', () => {
    const balancer = new Balancer('least-request');
    const releaseA = balancer.begin(endpoints[0]);
    balancer.begin(endpoints[1]);
    expect(balancer.pick('svc', endpoints)!.key).toBe('c');
    balancer.begin(endpoints[2]);
    releaseA();
    releaseA();
    expect(balancer.inFlight(endpoints[0])).toBe(0);
    expect(balancer.pick('svc', endpoints)!.key).toBe('a');
  });
});
