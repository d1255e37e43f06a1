import { describe, expect, it } from 'vitest';
import { AllocationError, Allocator, PoolConflictError, type AllocationSpec } from './allocator.ts';
import { parseConfig } from '../config/parse.ts';
import type { AddressPool } from '../config/types.ts';

function pools(yaml: string): AddressPool[] {
  return parseConfig(`address-pools:\n${yaml}`).pools;
}

const plain: AllocationSpec = { ports: [{ protocol: 'TCP', port: 80 }], sharingKey: '', backendKey: '' };
const shared = (key: string, port: number, backendKey = ''): AllocationSpec => ({ ports: [{ protocol: 'TCP', port }], sharingKey: key, backendKey });

function allocatorWith(yaml: string): Allocator {
  const allocator = new Allocator();
  allocator.setPools(pools(yaml));
  return allocator;
}

describe('Allocator: allocation order', () => {
  it('hands out the lowest free address of a CIDR, then the next', () => {
    const a = allocatorWith('- {name: default, protocol: bgp, addresses: [198.19.0.0/30]}');
    expect(['a', 'b', 'c', 'd'].map((s) => a.allocate(`ns/${s}`, plain))).toEqual(['198.19.0.0', '198.19.0.1', '198.19.0.2', '198.19.0.3']);
  });

  it('allocates from a-b ranges', () => {
    const a = allocatorWith('- {name: r, protocol: bgp, addresses: [198.19.3.250-198.19.4.1]}');
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((s) => a.allocate(`ns/${s}`, plain))).toEqual(['198.19.3.250', '198.19.3.251', '198.19.3.252', '198.19.3.253', '198.19.3.254', '198.19.3.255']);
    expect(a.allocate('ns/g', plain)).toBe('198.19.4.0');
  });

  it('never hands out .0 or .255 with avoid-buggy-ips', () => {
    const a = allocatorWith('- {name: r, protocol: bgp, avoid-buggy-ips: true, addresses: [198.19.3.254-198.19.4.1]}');
    expect(a.allocate('ns/a', plain)).toBe('198.19.3.254');
    expect(a.allocate('ns/b', plain)).toBe('198.19.4.1');
    expect(() => a.allocate('ns/c', plain)).toThrow('no available addresses in the auto-assign pools ("r")');
    expect(a.usage().get('r')).toEqual({ capacity: 2, inUse: 2 });
    expect(() => a.assign('ns/d', '198.19.4.0', plain)).toThrow('198.19.4.0 is not in any address pool (pools with avoid-buggy-ips exclude .0 and .255)');
  });

  it('tries auto-assign pools in config order and skips pools with auto-assign false', () => {
    const a = allocatorWith(`- {name: manual, protocol: bgp, auto-assign: false, addresses: [198.19.9.0/31]}
- {name: first, protocol: bgp, addresses: [198.19.5.7/32]}
- {name: second, protocol: bgp, addresses: [198.19.1.0/31]}`);
    expect(a.allocate('ns/a', plain)).toBe('198.19.5.7');
    expect(a.allocate('ns/b', plain)).toBe('198.19.1.0');
    expect(a.poolOf('ns/b')).toBe('second');
    expect(a.allocate('ns/c', { ...plain, pool: 'manual' })).toBe('198.19.9.0');
    expect(() => a.allocate('ns/d', { ...plain, pool: 'nope' })).toThrow('unknown pool "nope"');
  });

  it('says so when no pool may be auto-assigned', () => {
    const a = allocatorWith('- {name: manual, protocol: bgp, auto-assign: false, addresses: [198.19.9.0/31]}');
    expect(() => a.allocate('ns/a', plain)).toThrow('no address pool has auto-assign enabled');
  });

  it('keeps the address a service already holds', () => {
    const a = allocatorWith('- {name: default, protocol: bgp, addresses: [198.19.0.0/24]}');
    a.assign('ns/a', '198.19.0.42', plain);
    expect(a.allocate('ns/a', plain)).toBe('198.19.0.42');
    expect(a.allocate('ns/b', plain)).toBe('198.19.0.0');
  });
});

describe('Allocator: requested addresses', () => {
  const a = () => allocatorWith(`- {name: one, protocol: bgp, addresses: [198.19.0.0/24]}
- {name: two, protocol: bgp, addresses: [198.19.1.0/24]}`);

  it('assigns an address inside a pool', () => {
    const allocator = a();
    allocator.assign('ns/a', '198.19.1.9', plain);
    expect(allocator.addressOf('ns/a')).toBe('198.19.1.9');
    expect(allocator.poolOf('ns/a')).toBe('two');
  });

  it('refuses an address outside every pool', () => {
    expect(() => a().assign('ns/a', '198.19.7.1', plain)).toThrow(new AllocationError('198.19.7.1 is not in any address pool'));
  });

  it('refuses an address outside the requested pool', () => {
    expect(() => a().assign('ns/a', '198.19.1.9', { ...plain, pool: 'one' })).toThrow('198.19.1.9 is in pool "two", not in the requested pool "one"');
  });

  it('refuses an address another service holds without sharing', () => {
    const allocator = a();
    allocator.assign('ns/a', '198.19.0.5', plain);
    expect(() => allocator.assign('ns/b', '198.19.0.5', { ...plain, ports: [{ protocol: 'TCP', port: 81 }] })).toThrow('198.19.0.5 is in use by "ns/a", which does not allow sharing');
  });

  it('moves a service to a newly requested address, freeing the old one', () => {
    const allocator = a();
    allocator.assign('ns/a', '198.19.0.5', plain);
    allocator.assign('ns/a', '198.19.0.6', plain);
    expect(allocator.holdersOf('198.19.0.5')).toEqual([]);
    expect(allocator.holdersOf('198.19.0.6')).toEqual(['ns/a']);
  });
});

describe('Allocator: sharing rules', () => {
  const a = () => allocatorWith('- {name: default, protocol: bgp, addresses: [198.19.0.10/31]}');

  it('shares one address between services with the same key and disjoint ports', () => {
    const allocator = a();
    expect(allocator.allocate('ns/web', shared('k', 80))).toBe('198.19.0.10');
    expect(allocator.allocate('ns/dns', { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }], sharingKey: 'k', backendKey: '' })).toBe('198.19.0.10');
    expect(allocator.holdersOf('198.19.0.10')).toEqual(['ns/dns', 'ns/web']);
    expect(allocator.usage().get('default')).toEqual({ capacity: 2, inUse: 1 });
  });

  it('allows the same port number on different protocols', () => {
    const allocator = a();
    allocator.assign('ns/tcp', '198.19.0.10', shared('k', 53));
    expect(() => allocator.assign('ns/udp', '198.19.0.10', { ports: [{ protocol: 'UDP', port: 53 }], sharingKey: 'k', backendKey: '' })).not.toThrow();
  });

  it('refuses overlapping ports and auto-allocation moves on to the next address', () => {
    const allocator = a();
    allocator.assign('ns/one', '198.19.0.10', shared('k', 80));
    expect(() => allocator.assign('ns/two', '198.19.0.10', shared('k', 80))).toThrow('port TCP/80 of 198.19.0.10 is already in use by "ns/one"');
    expect(allocator.allocate('ns/two', shared('k', 80))).toBe('198.19.0.11');
  });

  it('refuses different keys, and a missing key on either side', () => {
    const allocator = a();
    allocator.assign('ns/one', '198.19.0.10', shared('k', 80));
    expect(() => allocator.assign('ns/two', '198.19.0.10', shared('other', 81))).toThrow('with sharing key "k", not "other"');
    expect(() => allocator.assign('ns/three', '198.19.0.10', { ...plain, ports: [{ protocol: 'TCP', port: 82 }] })).toThrow('this service does not allow sharing');
  });

  it('refuses Cluster next to Local, and Local with different selectors; allows Local with the same selector', () => {
    const allocator = a();
    allocator.assign('ns/cluster', '198.19.0.10', shared('k', 80));
    expect(() => allocator.assign('ns/local', '198.19.0.10', shared('k', 81, 'app=web'))).toThrow('incompatible externalTrafficPolicy/selector (Cluster vs Local with selector app=web)');
    allocator.assign('ns/l1', '198.19.0.11', shared('k', 80, 'app=web'));
    expect(() => allocator.assign('ns/l2', '198.19.0.11', shared('k', 81, 'app=db'))).toThrow('(Local with selector app=web vs Local with selector app=db)');
    expect(() => allocator.assign('ns/l3', '198.19.0.11', shared('k', 81, 'app=web'))).not.toThrow();
  });

  it('keeps a shared address until its last holder releases it', () => {
    const allocator = a();
    allocator.assign('ns/one', '198.19.0.10', shared('k', 80));
    allocator.assign('ns/two', '198.19.0.10', shared('k', 81));
    allocator.release('ns/one');
    expect(allocator.allocate('ns/solo', plain)).toBe('198.19.0.11');
    allocator.release('ns/two');
    expect(allocator.holdersOf('198.19.0.10')).toEqual([]);
    expect(allocator.allocate('ns/next', plain)).toBe('198.19.0.10');
  });
});

describe('Allocator: exhaustion, freeing and config changes', () => {
  it('fails on an exhausted pool and succeeds once an address is freed', () => {
    const allocator = allocatorWith('- {name: tiny, protocol: bgp, addresses: [198.19.0.1-198.19.0.2]}');
    allocator.allocate('ns/a', plain);
    allocator.allocate('ns/b', plain);
    expect(() => allocator.allocate('ns/c', plain)).toThrow('no available addresses in the auto-assign pools ("tiny")');
    expect(() => allocator.allocate('ns/c', { ...plain, pool: 'tiny' })).toThrow('no available addresses in pool "tiny"');
    expect(allocator.release('ns/a')).toBe(true);
    expect(allocator.release('ns/a')).toBe(false);
    expect(allocator.allocate('ns/c', plain)).toBe('198.19.0.1');
  });

  it('accepts new pools that keep every held address, and re-homes addresses to renamed pools', () => {
    const allocator = allocatorWith('- {name: default, protocol: bgp, addresses: [198.19.0.0/24]}');
    allocator.assign('ns/a', '198.19.0.7', plain);
    allocator.setPools(pools(`- {name: default, protocol: bgp, addresses: [198.19.0.0/24]}
- {name: extra, protocol: bgp, addresses: [198.19.1.0/24]}`));
    expect(allocator.addressOf('ns/a')).toBe('198.19.0.7');
    allocator.setPools(pools('- {name: renamed, protocol: bgp, addresses: [198.19.0.0/23]}'));
    expect(allocator.poolOf('ns/a')).toBe('renamed');
  });

  it('refuses new pools that would take a held address away, and changes nothing', () => {
    const allocator = allocatorWith('- {name: default, protocol: bgp, addresses: [198.19.0.0/24]}');
    allocator.assign('ns/a', '198.19.0.7', plain);
    allocator.assign('ns/b', '198.19.0.8', { ...plain, pool: 'default' });
    let error: unknown;
    try {
      allocator.setPools(pools('- {name: other, protocol: bgp, addresses: [198.19.0.8/29]}'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PoolConflictError);
    expect((error as PoolConflictError).conflicts).toEqual([
      'service "ns/a" holds 198.19.0.7, which no pool of the new config contains',
      'service "ns/b" holds 198.19.0.8 from its requested pool "default", which the new config puts in pool "other"',
    ]);
    expect(allocator.poolOf('ns/a')).toBe('default');
    expect(allocator.allocate('ns/c', plain)).toBe('198.19.0.0');
  });

  it('refuses new pools whose avoid-buggy-ips would exclude a held .0 address', () => {
    const allocator = allocatorWith('- {name: default, protocol: bgp, addresses: [198.19.0.0/24]}');
    allocator.allocate('ns/a', plain);
    expect(() => allocator.setPools(pools('- {name: default, protocol: bgp, avoid-buggy-ips: true, addresses: [198.19.0.0/24]}'))).toThrow(PoolConflictError);
  });

  it('reports capacity per pool', () => {
    const allocator = allocatorWith(`- {name: a, protocol: bgp, avoid-buggy-ips: true, addresses: [198.19.0.0/23, 198.19.4.1-198.19.4.3]}
- {name: b, protocol: bgp, addresses: [198.19.8.0/24]}`);
    expect(allocator.usage()).toEqual(new Map([['a', { capacity: 512 - 4 + 3, inUse: 0 }], ['b', { capacity: 256, inUse: 0 }]]));
  });
});
