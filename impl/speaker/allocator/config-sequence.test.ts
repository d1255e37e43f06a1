// The controller's config/allocation sequence without Kubernetes: a real
// ConfigLoader applying into a real Allocator (as Controller.applyConfig and
// addressesFreed wire them), driven through what the conformance scenarios
// lb-invalid-config-kept and lb-config-update-stable do to the ConfigMap,
// with Services created and deleted in between. After every step each pool
// must still hand out addresses, never .0/.255 where avoid-buggy-ips is set.
import { describe, expect, it } from 'vitest';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { Allocator, PoolConflictError, type AllocationSpec } from './allocator.ts';
import { ConfigLoader } from '../kube/config-source.ts';
import { MetricsRegistry } from '../metrics/metrics.ts';

// fixtures/conformance/metallb-config.yaml's pools, rendered with the local provider's addresses.
const POOLS = `- {name: default, protocol: bgp, avoid-buggy-ips: true, addresses: [198.19.0.0/24]}
- {name: manual, protocol: bgp, auto-assign: false, addresses: [198.19.1.0/24]}
- {name: tiny, protocol: bgp, auto-assign: false, addresses: [198.19.2.10-198.19.2.11]}
- {name: range, protocol: bgp, auto-assign: false, addresses: [198.19.3.100-198.19.3.110]}
- {name: buggy, protocol: bgp, auto-assign: false, avoid-buggy-ips: true, addresses: [198.19.4.0/24]}
- {name: buggy-only, protocol: bgp, auto-assign: false, avoid-buggy-ips: true, addresses: [198.19.5.255-198.19.6.0]}
- {name: aggregated, protocol: bgp, auto-assign: false, addresses: [198.19.8.0/24], bgp-advertisements: [{aggregation-length: 24}]}
`;
const PEERS = `peers:
- {peer-address: 198.18.0.1, peer-asn: 64500, my-asn: 64512, hold-time: 9s}
`;
const ORIGINAL = `${PEERS}address-pools:\n${POOLS}`;
const NEVER = '- {name: vc-never, protocol: bgp, auto-assign: false, addresses: [198.19.10.0/24]}\n';
const INVALID = [
  `${ORIGINAL}${NEVER}vc-unknown-key: true\n`,
  `${ORIGINAL}${NEVER}- {name: vc-overlap, protocol: bgp, auto-assign: false, addresses: [198.19.0.0/24]}\n`,
  `${PEERS.replace('peer-asn: 64500', 'peer-asn: 4294967296')}address-pools:\n${POOLS}${NEVER}`,
];
const WITH_SPARE = `${PEERS}- {peer-address: 198.18.0.250, peer-asn: 64600, my-asn: 64512, hold-time: 9s}
address-pools:\n${POOLS}- {name: vc-spare, protocol: bgp, auto-assign: false, addresses: [198.19.10.0/24]}\n`;

const spec = (pool?: string): AllocationSpec => ({ ports: [{ protocol: 'TCP', port: 80 }], sharingKey: '', backendKey: '', ...(pool ? { pool } : {}) });

function configMap(text: string, version: number): V1ConfigMap {
  return { metadata: { namespace: 'metallb-system', name: 'config', resourceVersion: String(version) }, data: { config: text } };
}

function controllerLike() {
  const allocator = new Allocator();
  const refused: string[] = [];
  const loader = new ConfigLoader((config) => allocator.setPools(config.pools), () => {}, new MetricsRegistry(), (_cm, message) => refused.push(message));
  let version = 0;
  return {
    allocator,
    loader,
    refused,
    apply: (text: string) => loader.update(configMap(text, ++version)),
    /** Controller.serviceChanged('delete'): release, then retry a refused config. */
    remove: (service: string) => {
      if (allocator.release(service)) loader.retry();
    },
  };
}

/** Every pool of the original config still allocates, to a usable address, and the address goes back. */
function expectEveryPoolAllocates(allocator: Allocator, step: string): void {
  // buggy-only holds just 198.19.5.255 and 198.19.6.0: with avoid-buggy-ips it never has an address to give.
  expect(() => allocator.allocate('vc-dbg/probe-buggy-only', spec('buggy-only')), step).toThrow('no available addresses in pool "buggy-only"');
  for (const pool of ['default', 'buggy', 'range', 'tiny']) {
    const key = `vc-dbg/probe-${pool}`;
    const address = allocator.allocate(key, spec(pool === 'default' ? undefined : pool));
    expect(allocator.poolOf(key), `${step}: pool of the address ${address}`).toBe(pool);
    if (pool === 'default' || pool === 'buggy') expect(address, `${step}: ${pool}`).not.toMatch(/\.(0|255)$/);
    allocator.release(key);
  }
}

describe('controller config sequence (loader → allocator)', () => {
  it('keeps allocating after refused, restored and conflicting configs and Service churn', () => {
    const { allocator, loader, refused, apply, remove } = controllerLike();
    apply(ORIGINAL);
    // Start-up adoption of addresses from Service status, then allocation.
    for (const [i, address] of ['198.19.0.2', '198.19.0.3', '198.19.0.4', '198.19.4.1', '198.19.4.2', '198.19.4.3', '198.19.0.7'].entries()) {
      allocator.assign(`adopted/s${i}`, address, spec(address.startsWith('198.19.4.') ? 'buggy' : undefined));
    }
    expectEveryPoolAllocates(allocator, 'after adoption');

    // lb-invalid-config-kept: three refused configs, Services created after each, then the original restored.
    for (const [i, text] of INVALID.entries()) {
      apply(text);
      expect(loader.stale, `invalid config ${i + 1} refused`).toBe(true);
      expect(() => allocator.allocate(`kept/never-${i}`, spec('vc-never'))).toThrow('unknown pool "vc-never"');
      expect(allocator.allocate(`kept/after-${i}`, spec())).toMatch(/^198\.19\.0\./);
      expectEveryPoolAllocates(allocator, `after invalid config ${i + 1}`);
    }
    apply(ORIGINAL);
    expect(loader.stale).toBe(false);
    for (let i = 0; i < INVALID.length; i++) remove(`kept/after-${i}`);
    expectEveryPoolAllocates(allocator, 'after restoring the original config');

    // lb-config-update-stable: a pool and a peer added, a Service takes a spare address, the restore is refused until it goes.
    const ranged = allocator.allocate('stable/ranged-vip', spec('range'));
    apply(WITH_SPARE);
    expect(loader.stale).toBe(false);
    expect(allocator.allocate('stable/spare-vip', spec('vc-spare'))).toBe('198.19.10.0');
    apply(ORIGINAL);
    expect(loader.stale, 'restore refused while spare-vip holds a vc-spare address').toBe(true);
    expect(refused.at(-1)).toContain('198.19.10.0, which no pool of the new config contains');
    expectEveryPoolAllocates(allocator, 'while the restore is refused');
    remove('stable/spare-vip');
    expect(loader.stale, 'restore applied by the retry after spare-vip was deleted').toBe(false);
    expect(() => allocator.allocate('stable/probe', spec('vc-spare'))).toThrow('unknown pool "vc-spare"');
    expect(allocator.addressOf('stable/ranged-vip')).toBe(ranged);
    expectEveryPoolAllocates(allocator, 'after the retried restore');

    // Churn: many Services come and go; capacity and usage stay consistent.
    for (let round = 0; round < 20; round++) {
      const keys = Array.from({ length: 5 }, (_, i) => `churn/r${round}-${i}`);
      for (const key of keys) allocator.allocate(key, spec(round % 2 === 0 ? undefined : 'buggy'));
      for (const key of keys) remove(key);
    }
    expectEveryPoolAllocates(allocator, 'after churn');
    expect(allocator.usage().get('default')).toEqual({ capacity: 254, inUse: 4 });
    expect(allocator.usage().get('buggy')).toEqual({ capacity: 254, inUse: 3 });
  });

  it('leaves the pools in force unchanged when setPools refuses a config', () => {
    const { allocator, apply } = controllerLike();
    apply(WITH_SPARE);
    allocator.allocate('ns/spare', spec('vc-spare'));
    expect(() => allocator.setPools([])).toThrow(PoolConflictError);
    expect(allocator.allocate('ns/next', spec('buggy'))).toBe('198.19.4.1');
    expect(allocator.allocate('ns/auto', spec())).toBe('198.19.0.1');
  });
});
