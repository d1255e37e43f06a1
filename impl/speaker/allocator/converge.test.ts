import { describe, expect, it } from 'vitest';
import type { V1Service } from '@kubernetes/client-node';
import { Allocator } from './allocator.ts';
import { convergeService } from './converge.ts';
import { parseConfig } from '../config/parse.ts';

const POOLS = parseConfig(`address-pools:
- {name: default, protocol: bgp, addresses: [198.19.0.0/30]}
- {name: manual, protocol: bgp, auto-assign: false, addresses: [198.19.9.0/30]}
`).pools;

function newAllocator(): Allocator {
  const allocator = new Allocator();
  allocator.setPools(POOLS);
  return allocator;
}

interface Options {
  type?: string;
  status?: string[];
  loadBalancerIP?: string;
  annotations?: Record<string, string>;
  etp?: 'Local' | 'Cluster';
  ports?: number[];
  ipFamilies?: string[];
  loadBalancerClass?: string;
}

function svc(name: string, o: Options = {}): V1Service {
  return {
    metadata: { namespace: 'ns', name, annotations: o.annotations ?? {} },
    spec: {
      type: o.type ?? 'LoadBalancer',
      ports: (o.ports ?? [80]).map((port) => ({ port, protocol: 'TCP' })),
      selector: { app: name },
      externalTrafficPolicy: o.etp ?? 'Cluster',
      ...(o.loadBalancerIP ? { loadBalancerIP: o.loadBalancerIP } : {}),
      ...(o.ipFamilies ? { ipFamilies: o.ipFamilies } : {}),
      ...(o.loadBalancerClass ? { loadBalancerClass: o.loadBalancerClass } : {}),
    },
    status: { loadBalancer: { ingress: (o.status ?? []).map((ip) => ({ ip })) } },
  };
}

const go = { mayAllocate: true };

describe('convergeService', () => {
  it('allocates the lowest free address with an IPAllocated event', () => {
    const decision = convergeService(newAllocator(), svc('a'), go);
    expect(decision).toEqual({
      addresses: ['198.19.0.0'], pending: false,
      event: { type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["198.19.0.0"]' },
    });
  });

  it('leaves a Service that already carries its address alone (no event)', () => {
    const allocator = newAllocator();
    expect(convergeService(allocator, svc('a', { status: ['198.19.0.2'] }), go)).toEqual({ addresses: ['198.19.0.2'], pending: false });
    expect(allocator.addressOf('ns/a')).toBe('198.19.0.2');
  });

  it('answers with the held address while our status write has not reached the cache', () => {
    const allocator = newAllocator();
    convergeService(allocator, svc('a'), go);
    expect(convergeService(allocator, svc('a'), go)).toEqual({ addresses: ['198.19.0.0'], pending: false });
  });

  it('honours spec.loadBalancerIP and the loadBalancerIPs annotation', () => {
    const allocator = newAllocator();
    expect(convergeService(allocator, svc('a', { loadBalancerIP: '198.19.0.3' }), go).addresses).toEqual(['198.19.0.3']);
    expect(convergeService(allocator, svc('b', { annotations: { 'metallb.universe.tf/loadBalancerIPs': '198.19.9.1' } }), go).addresses).toEqual(['198.19.9.1']);
    expect(allocator.poolOf('ns/b')).toBe('manual');
  });

  it('fails a request outside every pool with AllocationFailed and stays pending', () => {
    const decision = convergeService(newAllocator(), svc('a', { loadBalancerIP: '203.0.113.7' }), go);
    expect(decision).toEqual({
      addresses: undefined, pending: true,
      event: { type: 'Warning', reason: 'AllocationFailed', message: 'Failed to allocate IP for "ns/a": 203.0.113.7 is not in any address pool' },
    });
  });

  it('refuses both request fields at once, and IPv6 requests', () => {
    expect(convergeService(newAllocator(), svc('a', { loadBalancerIP: '198.19.0.1', annotations: { 'metallb.universe.tf/loadBalancerIPs': '198.19.0.1' } }), go).event?.message)
      .toBe('Failed to allocate IP for "ns/a": service can not have both the metallb.universe.tf/loadBalancerIPs annotation and spec.loadBalancerIP');
    expect(convergeService(newAllocator(), svc('b', { loadBalancerIP: 'fd00::1' }), go).event?.message).toContain('is IPv6');
    expect(convergeService(newAllocator(), svc('c', { ipFamilies: ['IPv6'] }), go).event?.message).toContain('IPv6 Services are not supported');
  });

  it('keeps the current address when a later request is unreadable', () => {
    const decision = convergeService(newAllocator(), svc('a', { status: ['198.19.0.1'], loadBalancerIP: 'nonsense' }), go);
    expect(decision.addresses).toBeUndefined();
    expect(decision.pending).toBe(false);
    expect(decision.event?.reason).toBe('AllocationFailed');
  });

  it('moves to a newly requested address', () => {
    const allocator = newAllocator();
    const decision = convergeService(allocator, svc('a', { status: ['198.19.0.0'], loadBalancerIP: '198.19.0.2' }), go);
    expect(decision.addresses).toEqual(['198.19.0.2']);
    expect(decision.note).toBe('requested address 198.19.0.2 differs from the assigned 198.19.0.0');
    expect(allocator.holdersOf('198.19.0.0')).toEqual([]);
  });

  it('uses the address-pool annotation and reallocates when it changes', () => {
    const allocator = newAllocator();
    const annotations = { 'metallb.universe.tf/address-pool': 'manual' };
    expect(convergeService(allocator, svc('a', { annotations }), go).addresses).toEqual(['198.19.9.0']);
    const moved = convergeService(allocator, svc('a', { status: ['198.19.0.0'], annotations }), go);
    expect(moved.addresses).toEqual(['198.19.9.0']);
  });

  it('clears the status and frees the address when a Service stops being a LoadBalancer', () => {
    const allocator = newAllocator();
    convergeService(allocator, svc('a', { status: ['198.19.0.0'] }), go);
    expect(convergeService(allocator, svc('a', { type: 'ClusterIP', status: ['198.19.0.0'] }), go)).toEqual({ addresses: [], pending: false });
    expect(allocator.addressOf('ns/a')).toBeUndefined();
    expect(convergeService(allocator, svc('a', { type: 'ClusterIP' }), go)).toEqual({ addresses: undefined, pending: false });
  });

  it('never touches a Service handed to another implementation by loadBalancerClass', () => {
    expect(convergeService(newAllocator(), svc('a', { loadBalancerClass: 'example.com/other', status: ['198.19.0.0'] }), go)).toEqual({ addresses: undefined, pending: false });
  });

  it('goes pending on exhaustion and is served after an address frees up', () => {
    const allocator = newAllocator();
    for (const name of ['a', 'b', 'c', 'd']) convergeService(allocator, svc(name), go);
    const pending = convergeService(allocator, svc('e'), go);
    expect(pending.pending).toBe(true);
    expect(pending.event?.message).toBe('Failed to allocate IP for "ns/e": no available addresses in the auto-assign pools ("default")');
    allocator.release('ns/b');
    expect(convergeService(allocator, svc('e'), go).addresses).toEqual(['198.19.0.1']);
  });

  it('shares an address through allow-shared-ip and refuses overlapping ports', () => {
    const allocator = newAllocator();
    const share = { 'metallb.universe.tf/allow-shared-ip': 'web' };
    expect(convergeService(allocator, svc('http', { annotations: share, ports: [80] }), go).addresses).toEqual(['198.19.0.0']);
    expect(convergeService(allocator, svc('https', { annotations: share, ports: [443] }), go).addresses).toEqual(['198.19.0.0']);
    const clash = convergeService(allocator, svc('clash', { annotations: share, ports: [443], loadBalancerIP: '198.19.0.0' }), go);
    expect(clash.event?.message).toBe('Failed to allocate IP for "ns/clash": port TCP/443 of 198.19.0.0 is already in use by "ns/https"');
  });

  it('keeps every address across a controller restart (adopt pass, then allocate pass)', () => {
    const first = newAllocator();
    const services = ['a', 'b', 'c'].map((name) => svc(name));
    const assigned = services.map((s) => convergeService(first, s, go).addresses![0]);
    first.release('ns/a');
    // A fresh controller sees the statuses it wrote before; a new Service arrives first in the list.
    const restarted = newAllocator();
    const after = [svc('new'), ...services.map((s, i) => svc(s.metadata!.name!, { status: [assigned[i]] }))];
    const adopt = after.map((s) => convergeService(restarted, s, { mayAllocate: false }));
    expect(adopt[0]).toEqual({ addresses: undefined, pending: true });
    const final = after.map((s) => convergeService(restarted, s, go));
    expect(final.slice(1).map((d) => d.addresses![0])).toEqual(assigned);
    expect(final.slice(1).every((d) => d.event === undefined)).toBe(true);
    expect(final[0].addresses).toEqual(['198.19.0.3']);
  });

  it('drops a status address that no pool contains any more and allocates anew', () => {
    const decision = convergeService(newAllocator(), svc('a', { status: ['198.19.7.7'] }), go);
    expect(decision.addresses).toEqual(['198.19.0.0']);
    expect(decision.note).toBe('assigned address 198.19.7.7 dropped: 198.19.7.7 is not in any address pool');
    expect(decision.event?.reason).toBe('IPAllocated');
  });
});
