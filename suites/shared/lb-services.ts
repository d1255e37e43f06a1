// LoadBalancer Services in front of echo backends
// (fixtures/scenarios/loadbalancer/service*.yaml), the addresses they get,
// and the allocation outcomes the load balancer reports on them as Events.
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { waitFor } from '../../lib/wait.ts';

export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServiceSpec {
  /** The echo backend (its app label) the Service selects. */
  backend: string;
  /** metallb.universe.tf/address-pool; absent: the auto-assigned pool. */
  pool?: string;
  etp?: TrafficPolicy;
}

/** Applies a LoadBalancer Service and returns when it was created (performance.now()), for announcement times. */
export async function createService(ctx: ScenarioContext, name: string, spec: ServiceSpec): Promise<number> {
  const createdAt = performance.now();
  const fixture = spec.pool === undefined ? 'loadbalancer/service.yaml' : 'loadbalancer/service-in-pool.yaml';
  await ctx.apply(fixture, { name, backend: spec.backend, pool: spec.pool ?? '', etp: spec.etp ?? 'Cluster' });
  return createdAt;
}

export async function deleteService(ctx: ScenarioContext, name: string): Promise<void> {
  await ctx.kube.core.deleteNamespacedService({ namespace: ctx.namespace, name });
}

/** Waits (timeouts.address) for a Service's LoadBalancer address. */
export async function addressOf(ctx: ScenarioContext, service: string, namespace = ctx.namespace): Promise<string> {
  return (await ctx.kube.waitForLoadBalancerIp(namespace, service, ctx.timeouts.address)).value;
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

/** Waits until a Service has an event with `reason`; returns its message. */
export async function expectServiceEvent(ctx: ScenarioContext, service: string, reason: string): Promise<string> {
  const result = await ctx.eventually(`a ${reason} event on Service ${service}`, async () => {
    const events = await ctx.kube.eventsFor(ctx.namespace, 'Service', service);
    const found = events.find((e) => e.reason === reason);
    return { ok: !!found, value: found?.message ?? '', observed: events.map((e) => `${e.reason}: ${e.message}`) };
  });
  return result.value;
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

/** Waits (timeouts.allocationOutcome) until a Service either has an address or an AllocationFailed event, and says which. */
export async function allocationOutcome(ctx: ScenarioContext, service: string): Promise<{ addresses: string[]; refused?: string }> {
  const result = await waitFor(`Service ${service} to get an address or an AllocationFailed event`, async () => {
    const [events, addresses] = await Promise.all([ctx.kube.eventsFor(ctx.namespace, 'Service', service), currentAddresses(ctx, service)]);
    const refused = events.find((e) => e.reason === 'AllocationFailed')?.message;
    return { ok: addresses.length > 0 || refused !== undefined, value: { addresses, refused }, observed: { addresses, events: events.map((e) => e.reason) } };
  }, { timeoutMs: ctx.timeouts.allocationOutcome, intervalMs: 200 });
  return result.value;
}
