// What the load-balancer scenarios share: LoadBalancer Services in front of
// echo backends, the addresses they get, and the routes the TOR (eBGP, RIB
// and kernel FIB) and the iBGP router (RIB only) learn for them.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { compareAddresses } from '../../harness/tor/rib.ts';
import { waitFor } from '../../lib/wait.ts';
import type { Route } from '../../harness/tor/tor.ts';

export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServiceSpec {
  /** The echo backend (its app label) the Service selects. */
  backend: string;
  /** metallb.universe.tf/address-pool; absent: the auto-assigned pool. */
  pool?: string;
  etp?: TrafficPolicy;
}

/**
 * Applies a LoadBalancer Service (fixtures/scenarios/loadbalancer/service*.yaml)
 * and returns when it was created (performance.now()), for announcement times.
 */
export async function createService(ctx: ScenarioContext, name: string, spec: ServiceSpec): Promise<number> {
  const createdAt = performance.now();
  const fixture = spec.pool === undefined ? 'loadbalancer/service.yaml' : 'loadbalancer/service-in-pool.yaml';
  await ctx.apply(fixture, { name, backend: spec.backend, pool: spec.pool ?? '', etp: spec.etp ?? 'Cluster' });
  return createdAt;
}

/** Waits for a Service's LoadBalancer address. */
export async function addressOf(ctx: ScenarioContext, service: string): Promise<string> {
  return (await ctx.kube.waitForLoadBalancerIp(ctx.namespace, service, ctx.timeoutMs)).value;
}

export interface Exposed {
  /** The LoadBalancer Service: `<backend>-vip`. */
  service: string;
  vip: string;
  /** performance.now() when the Service was created. */
  createdAt: number;
}

/** An echo backend (ready) with a LoadBalancer Service `<backend>-vip` in front, and the address it got. */
export async function exposeEcho(ctx: ScenarioContext, backend: string, options: { replicas?: number; pool?: string; etp?: TrafficPolicy } = {}): Promise<Exposed> {
  await ctx.echoBackend(backend, options.replicas ?? 1);
  const service = `${backend}-vip`;
  const createdAt = await createService(ctx, service, { backend, pool: options.pool, etp: options.etp });
  return { service, vip: await addressOf(ctx, service), createdAt };
}

/** The current LoadBalancer addresses of a Service (empty while it has none). */
export async function currentAddresses(ctx: ScenarioContext, service: string): Promise<string[]> {
  const svc = await ctx.kube.core.readNamespacedService({ namespace: ctx.namespace, name: service });
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '?');
}

/** Waits until a Service has an AllocationFailed event and still no address; returns the event's message. */
export async function expectAllocationFailed(ctx: ScenarioContext, service: string): Promise<string> {
  const result = await ctx.eventually(`Service ${service} to be refused an address (AllocationFailed, no status address)`, async () => {
    const [events, addresses] = await Promise.all([ctx.kube.eventsFor(ctx.namespace, 'Service', service), currentAddresses(ctx, service)]);
    const failed = events.find((e) => e.reason === 'AllocationFailed');
    return { ok: !!failed && addresses.length === 0, value: failed?.message ?? '', observed: { addresses, events: events.map((e) => `${e.reason}: ${e.message}`) } };
  });
  ctx.log(`${service}: AllocationFailed: ${result.value}`);
  return result.value;
}

export async function expectEvent(ctx: ScenarioContext, service: string, reason: string): Promise<string> {
  const result = await ctx.eventually(`a ${reason} event on Service ${service}`, async () => {
    const events = await ctx.kube.eventsFor(ctx.namespace, 'Service', service);
    const found = events.find((e) => e.reason === reason);
    return { ok: !!found, value: found?.message ?? '', observed: events.map((e) => `${e.reason}: ${e.message}`) };
  });
  return result.value;
}

/** Deployment changes the scenarios make (scale, pin to a node) as JSON merge patches. */
export async function patchDeployment(ctx: ScenarioContext, name: string, body: object): Promise<void> {
  await ctx.kube.apps.patchNamespacedDeployment({ namespace: ctx.namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

export function scale(ctx: ScenarioContext, name: string, replicas: number): Promise<void> {
  return patchDeployment(ctx, name, { spec: { replicas } });
}

/** Pins a Deployment's pods to one node (null: anywhere). */
export function pinToNode(ctx: ScenarioContext, name: string, node: string | null): Promise<void> {
  return patchDeployment(ctx, name, { spec: { template: { spec: { nodeSelector: node === null ? null : { 'kubernetes.io/hostname': node } } } } });
}

// ── nodes and routes ────────────────────────────────────────────────────────

/** Sorted addresses of the named nodes (default: every node). */
export function nodeAddresses(ctx: ScenarioContext, names?: string[]): string[] {
  const nodes = ctx.runtime.provider.nodes;
  const addressOfNode = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node named ${name} (nodes: ${nodes.map((n) => n.name).join(', ')})`);
    return node.address;
  };
  return (names ?? nodes.map((n) => n.name)).map(addressOfNode).sort(compareAddresses);
}

/** Sorted addresses of the nodes that hold a ready endpoint of a Service (default: in the scenario's namespace). */
export async function nodesWithReadyEndpoints(ctx: ScenarioContext, service: string, namespace = ctx.namespace): Promise<string[]> {
  const endpoints = await ctx.kube.readyEndpoints(namespace, service);
  const names = [...new Set(endpoints.map((e) => e.nodeName).filter((n): n is string => !!n))];
  return nodeAddresses(ctx, names);
}

export function hostPrefix(address: string): string {
  return `${address}/32`;
}

export type Router = 'tor' | 'ibgp';

/** What a router holds for a prefix: its RIB entry and, for the TOR, its kernel next hops. */
export async function readRoute(ctx: ScenarioContext, prefix: string, router: Router = 'tor'): Promise<{ route: Route | undefined; fib: string[] | undefined }> {
  const bgp = router === 'tor' ? ctx.tor() : ctx.ibgpRouter();
  const programsFib = (router === 'tor' ? ctx.runtime.provider.tor : ctx.runtime.provider.ibgpRouter)?.programsFib ?? false;
  const [routes, fib] = await Promise.all([bgp.routes(prefix), programsFib ? bgp.fib(prefix) : Promise.resolve(undefined)]);
  return { route: routes[0], fib };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface RouteWait {
  router?: Router;
  /** performance.now() of the cause (e.g. the Service's creation): `afterMs` counts from there. */
  since?: number;
  timeoutMs?: number;
}

/**
 * Waits until the router holds `prefix` with exactly `nextHops` as its
 * equal-cost next hops — in the RIB and, where the router programs one, in
 * the kernel FIB — three times in a row. `nextHops` may be a function read
 * again on every poll (next hops that follow moving pods).
 */
export async function expectRoute(ctx: ScenarioContext, prefix: string, nextHops: string[] | (() => Promise<string[]>), options: RouteWait = {}): Promise<{ route: Route; afterMs: number }> {
  const router = options.router ?? 'tor';
  const waitStart = performance.now();
  const label = Array.isArray(nextHops) ? nextHops.join(', ') : 'the expected nodes';
  const result = await ctx.eventually(`${router === 'tor' ? 'the TOR' : 'the iBGP router'} to route ${prefix} via ${label}`, async () => {
    const want = Array.isArray(nextHops) ? [...nextHops].sort(compareAddresses) : await nextHops();
    const { route, fib } = await readRoute(ctx, prefix, router);
    const rib = route?.nextHops ?? [];
    const ok = want.length > 0 && sameList(rib, want) && (fib === undefined || sameList(fib, want));
    return { ok, value: route, observed: { want, rib, ...(fib ? { fib } : {}) } };
  }, { timeoutMs: options.timeoutMs });
  const afterMs = Math.round((options.since !== undefined ? waitStart - options.since : 0) + result.convergenceMs);
  return { route: result.value!, afterMs };
}

/** Waits until neither the router's RIB nor (for the TOR) its FIB holds `prefix`. */
export async function expectWithdrawn(ctx: ScenarioContext, prefix: string, options: RouteWait = {}): Promise<number> {
  const router = options.router ?? 'tor';
  const waitStart = performance.now();
  const result = await ctx.eventually(`${prefix} to be withdrawn from ${router === 'tor' ? "the TOR's RIB and FIB" : "the iBGP router's RIB"}`, async () => {
    const { route, fib } = await readRoute(ctx, prefix, router);
    return { ok: !route && (fib === undefined || fib.length === 0), observed: { rib: route?.nextHops ?? [], ...(fib ? { fib } : {}) } };
  }, { timeoutMs: options.timeoutMs });
  return Math.round((options.since !== undefined ? waitStart - options.since : 0) + result.convergenceMs);
}

// ── IPv4 arithmetic for pool checks ──────────────────────────────────────────

export function ipv4ToNumber(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

export function numberToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Whether an address lies in a pool entry: a CIDR ("a.b.c.d/n") or a range ("a-b"). */
export function inPool(address: string, entry: string): boolean {
  const n = ipv4ToNumber(address);
  if (entry.includes('-')) {
    const [first, last] = entry.split('-').map((s) => ipv4ToNumber(s.trim()));
    return n >= first && n <= last;
  }
  const [base, length] = entry.split('/');
  const size = 2 ** (32 - Number(length));
  const start = ipv4ToNumber(base) - (ipv4ToNumber(base) % size);
  return n >= start && n < start + size;
}

/** The address `offset` places after a CIDR's network address. */
export function addressIn(cidr: string, offset: number): string {
  return numberToIpv4(ipv4ToNumber(cidr.split('/')[0]) + offset);
}

/** A run variable (pool ranges, ASNs) that must exist. */
export function runVar(ctx: ScenarioContext, name: string): string {
  const value = ctx.runtime.vars[name];
  if (value === undefined) throw new Error(`the run has no variable "${name}" (known: ${Object.keys(ctx.runtime.vars).join(', ')})`);
  return String(value);
}

/** Nodes labelled to peer with the iBGP router (the ConfigMap's node-selectors pick them), read from the cluster. */
export async function labelledIbgpNodes(ctx: ScenarioContext): Promise<string[]> {
  const label = runVar(ctx, 'ibgpNodeLabel');
  const nodes = await ctx.kube.core.listNode({ labelSelector: `${label}=true` });
  return nodes.items.map((n) => n.metadata!.name!).sort();
}

// ── BGP sessions that must not flap ─────────────────────────────────────────

export interface SessionSnapshot {
  at: number;
  /** Established TOR sessions: neighbor address → uptime in seconds. */
  uptimes: Record<string, number>;
}

export async function snapshotSessions(ctx: ScenarioContext): Promise<SessionSnapshot> {
  const neighbors = await ctx.tor().neighbors();
  const uptimes = Object.fromEntries(neighbors.filter((n) => n.state === 'established').map((n) => [n.address, n.uptimeSec ?? -1]));
  return { at: performance.now(), uptimes };
}

/** The TOR sessions of `before` that are gone or were re-established since (uptime went back); empty when all held. */
export async function sessionsReset(ctx: ScenarioContext, before: SessionSnapshot): Promise<string[]> {
  const now = await snapshotSessions(ctx);
  const elapsedSec = (now.at - before.at) / 1000;
  return Object.entries(before.uptimes).flatMap(([address, uptime]) => {
    const current = now.uptimes[address];
    if (current === undefined) return [`${address}: no longer Established`];
    return current + 2 < uptime + elapsedSec ? [`${address}: re-established (uptime ${current} s, was ${uptime} s ${Math.round(elapsedSec)} s ago)`] : [];
  });
}

/**
 * Polls the TOR while something changes and collects every moment a prefix
 * did not have exactly its expected next hops (RIB and FIB).
 */
export function watchRoutes(ctx: ScenarioContext, expected: Record<string, string[]>): { stop(): Promise<string[]> } {
  const deviations: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [prefix, want] of Object.entries(expected)) {
        try {
          const { route, fib } = await readRoute(ctx, prefix);
          const rib = route?.nextHops ?? [];
          if (!sameList(rib, want) || (fib !== undefined && !sameList(fib, want))) deviations.push(`${prefix}: RIB ${rib.join(',') || 'none'} FIB ${fib?.join(',') || 'none'}`);
        } catch (error) {
          deviations.push(`${prefix}: could not read (${(error as Error).message})`);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return deviations;
    },
  };
}

/** Waits (bounded) until a Service either has an address or an AllocationFailed event, and says which. */
export async function allocationOutcome(ctx: ScenarioContext, service: string, timeoutMs = 10_000): Promise<{ addresses: string[]; refused?: string }> {
  const result = await waitFor(`Service ${service} to get an address or an AllocationFailed event`, async () => {
    const [events, addresses] = await Promise.all([ctx.kube.eventsFor(ctx.namespace, 'Service', service), currentAddresses(ctx, service)]);
    const refused = events.find((e) => e.reason === 'AllocationFailed')?.message;
    return { ok: addresses.length > 0 || refused !== undefined, value: { addresses, refused }, observed: { addresses, events: events.map((e) => e.reason) } };
  }, { timeoutMs, intervalMs: 200 });
  return result.value;
}
