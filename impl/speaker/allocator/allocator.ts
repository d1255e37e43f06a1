// Which Service holds which load-balancer address. Pure bookkeeping: no
// Kubernetes objects, no I/O. Services are identified by "namespace/name".
import type { AddressPool } from '../config/types.ts';
import { formatIPv4, isBuggyIPv4, parseIPv4 } from '../../../lib/net/index.ts';

export interface Port {
  protocol: string;
  port: number;
}

/** What a Service asks of the allocator, besides a specific address. */
export interface AllocationSpec {
  ports: Port[];
  /** `allow-shared-ip` annotation; empty means the address is not shared. */
  sharingKey: string;
  /** Empty for externalTrafficPolicy Cluster; the pod selector for Local (sharing needs equal keys). */
  backendKey: string;
  /** `address-pool` annotation: allocate only from this pool. */
  pool?: string;
}

/** An address cannot be given to a Service (pool exhausted, not in a pool, sharing refused…). */
export class AllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

/** New pools would take an address away from a Service that holds it. */
export class PoolConflictError extends Error {
  readonly conflicts: string[];
  constructor(conflicts: string[]) {
    super(`new config not compatible with assigned addresses: ${conflicts.join('; ')}`);
    this.name = 'PoolConflictError';
    this.conflicts = conflicts;
  }
}

interface Assignment {
  address: number;
  pool: string;
  spec: AllocationSpec;
}

export interface PoolUsage {
  capacity: number;
  inUse: number;
}

export class Allocator {
  private pools: AddressPool[] = [];
  private readonly assignments = new Map<string, Assignment>();
  /** address → services holding it (several when shared). */
  private readonly holders = new Map<number, Set<string>>();

  /** Replaces the pools; refuses (and changes nothing) if any held address would lose its pool. */
  setPools(pools: AddressPool[]): void {
    const conflicts: string[] = [];
    const moved = new Map<string, string>();
    for (const [service, assignment] of this.assignments) {
      const pool = poolContaining(pools, assignment.address);
      const ip = formatIPv4(assignment.address);
      if (!pool) {
        conflicts.push(`service "${service}" holds ${ip}, which no pool of the new config contains`);
      } else if (assignment.spec.pool !== undefined && assignment.spec.pool !== pool.name) {
        conflicts.push(`service "${service}" holds ${ip} from its requested pool "${assignment.spec.pool}", which the new config puts in pool "${pool.name}"`);
      } else {
        moved.set(service, pool.name);
      }
    }
    if (conflicts.length > 0) throw new PoolConflictError(conflicts);
    this.pools = pools;
    for (const [service, pool] of moved) this.assignments.get(service)!.pool = pool;
  }

  /** Gives `address` to `service` if the pools and sharing rules allow it; replaces any address the service held. */
  assign(service: string, address: string, spec: AllocationSpec): void {
    const value = parseIPv4(address);
    if (value === undefined) throw new AllocationError(`${JSON.stringify(address)} is not an IPv4 address`);
    const pool = poolContaining(this.pools, value);
    if (!pool) throw new AllocationError(`${address} is not in any address pool${this.pools.some((p) => p.avoidBuggyIps && isBuggyIPv4(value) && blockContains(p, value)) ? ' (pools with avoid-buggy-ips exclude .0 and .255)' : ''}`);
    if (spec.pool !== undefined && spec.pool !== pool.name) {
      throw new AllocationError(`${address} is in pool "${pool.name}", not in the requested pool "${spec.pool}"`);
    }
    const refusal = this.sharingRefusal(service, value, spec);
    if (refusal) throw new AllocationError(refusal);
    this.release(service);
    this.assignments.set(service, { address: value, pool: pool.name, spec: copySpec(spec) });
    let holders = this.holders.get(value);
    if (!holders) this.holders.set(value, (holders = new Set()));
    holders.add(service);
  }

  /**
   * The lowest usable address from the requested pool, or from the auto-assign
   * pools in config order. A service that already holds an address keeps it.
   */
  allocate(service: string, spec: AllocationSpec): string {
    const held = this.assignments.get(service);
    if (held) {
      const address = formatIPv4(held.address);
      this.assign(service, address, spec);
      return address;
    }
    let candidates: AddressPool[];
    if (spec.pool !== undefined) {
      const pool = this.pools.find((p) => p.name === spec.pool);
      if (!pool) throw new AllocationError(`unknown pool "${spec.pool}"`);
      candidates = [pool];
    } else {
      candidates = this.pools.filter((p) => p.autoAssign);
      if (candidates.length === 0) throw new AllocationError('no address pool has auto-assign enabled; name a pool with the metallb.universe.tf/address-pool annotation');
    }
    for (const pool of candidates) {
      for (const block of pool.addresses) {
        for (let address = block.first; address <= block.last; address++) {
          // The same test assign() applies through poolContaining: a candidate is never one assign() would refuse.
          if (!usableIn(pool, address)) continue;
          if (this.sharingRefusal(service, address, spec) !== undefined) continue;
          const text = formatIPv4(address);
          this.assign(service, text, spec);
          return text;
        }
      }
    }
    throw new AllocationError(spec.pool !== undefined
      ? `no available addresses in pool "${spec.pool}"`
      : `no available addresses in the auto-assign pools (${candidates.map((p) => `"${p.name}"`).join(', ')})`);
  }

  /** Frees the service's address (kept while other sharing services hold it). False if it held none. */
  release(service: string): boolean {
    const assignment = this.assignments.get(service);
    if (!assignment) return false;
    this.assignments.delete(service);
    const holders = this.holders.get(assignment.address)!;
    holders.delete(service);
    if (holders.size === 0) this.holders.delete(assignment.address);
    return true;
  }

  addressOf(service: string): string | undefined {
    const assignment = this.assignments.get(service);
    return assignment ? formatIPv4(assignment.address) : undefined;
  }

  poolOf(service: string): string | undefined {
    return this.assignments.get(service)?.pool;
  }

  /** Services holding `address` (more than one when shared). */
  holdersOf(address: string): string[] {
    const value = parseIPv4(address);
    return value === undefined ? [] : [...(this.holders.get(value) ?? [])].sort();
  }

  /** Per pool: usable addresses and addresses in use. */
  usage(): Map<string, PoolUsage> {
    const result = new Map<string, PoolUsage>();
    for (const pool of this.pools) result.set(pool.name, { capacity: poolCapacity(pool), inUse: 0 });
    const counted = new Set<number>();
    for (const assignment of this.assignments.values()) {
      if (counted.has(assignment.address)) continue;
      counted.add(assignment.address);
      const usage = result.get(assignment.pool);
      if (usage) usage.inUse++;
    }
    return result;
  }

  /** Why `service` may not use `address` next to its current holders, or undefined if it may. */
  private sharingRefusal(service: string, address: number, spec: AllocationSpec): string | undefined {
    const others = [...(this.holders.get(address) ?? [])].filter((s) => s !== service).sort();
    if (others.length === 0) return undefined;
    const ip = formatIPv4(address);
    for (const other of others) {
      const theirs = this.assignments.get(other)!.spec;
      if (theirs.sharingKey === '') return `${ip} is in use by "${other}", which does not allow sharing`;
      if (spec.sharingKey === '') return `${ip} is in use by "${other}" and this service does not allow sharing (no allow-shared-ip key)`;
      if (theirs.sharingKey !== spec.sharingKey) return `${ip} is in use by "${other}" with sharing key "${theirs.sharingKey}", not "${spec.sharingKey}"`;
      if (theirs.backendKey !== spec.backendKey) {
        return `${ip} is in use by "${other}" with an incompatible externalTrafficPolicy/selector (${describeBackend(theirs.backendKey)} vs ${describeBackend(spec.backendKey)})`;
      }
      for (const port of spec.ports) {
        if (theirs.ports.some((p) => p.port === port.port && p.protocol === port.protocol)) {
          return `port ${port.protocol}/${port.port} of ${ip} is already in use by "${other}"`;
        }
      }
    }
    return undefined;
  }
}

function describeBackend(key: string): string {
  return key === '' ? 'Cluster' : `Local with selector ${key}`;
}

function copySpec(spec: AllocationSpec): AllocationSpec {
  return { ...spec, ports: spec.ports.map((p) => ({ ...p })) };
}

function blockContains(pool: AddressPool, address: number): boolean {
  return pool.addresses.some((b) => b.first <= address && address <= b.last);
}

/** Whether `pool` may hand out `address`: inside one of its blocks and not excluded by avoid-buggy-ips. */
function usableIn(pool: AddressPool, address: number): boolean {
  return blockContains(pool, address) && !(pool.avoidBuggyIps && isBuggyIPv4(address));
}

/** The pool whose addresses include `address` (honouring avoid-buggy-ips). */
export function poolContaining(pools: readonly AddressPool[], address: number): AddressPool | undefined {
  return pools.find((pool) => usableIn(pool, address));
}

function poolCapacity(pool: AddressPool): number {
  let total = 0;
  for (const block of pool.addresses) {
    total += block.last - block.first + 1;
    if (pool.avoidBuggyIps) total -= countEndingIn(block.first, block.last, 0) + countEndingIn(block.first, block.last, 255);
  }
  return total;
}

/** How many n in [first, last] have n mod 256 = lastOctet. */
function countEndingIn(first: number, last: number, lastOctet: number): number {
  return Math.floor((last - lastOctet) / 256) - Math.floor((first - 1 - lastOctet) / 256);
}
