// Ingress status: every Ingress we serve carries the addresses clients use in
// status.loadBalancer.ingress — those of the --publish-service Service (its
// own status.loadBalancer.ingress, e.g. the VIP a load balancer gave it) or the
// fixed --publish-status-address list. An Ingress we stop serving (its class
// changed) gets its status cleared. Ingresses that were never ours are never
// written. Writes are merge patches of the status subresource, made only when
// the value differs, one at a time.
import type { V1Ingress, V1IngressLoadBalancerIngress, V1Service } from '@kubernetes/client-node';
import { parseIP } from '../../../lib/net/index.ts';
import type { ProxyConfig } from '../config.ts';

export type StatusAddress = Pick<V1IngressLoadBalancerIngress, 'ip' | 'hostname'>;

/** What status.loadBalancer.ingress should hold, or undefined when status is not managed (no publish flag). */
export function desiredStatus(config: Pick<ProxyConfig, 'publishService' | 'publishStatusAddresses'>, services: readonly V1Service[]): StatusAddress[] | undefined {
  if (config.publishStatusAddresses.length > 0) {
    return config.publishStatusAddresses.map((a) => (parseIP(a) !== undefined ? { ip: a } : { hostname: a }));
  }
  const ref = config.publishService;
  if (!ref) return undefined;
  const service = services.find((s) => s.metadata?.namespace === ref.namespace && s.metadata?.name === ref.name);
  return (service?.status?.loadBalancer?.ingress ?? []).flatMap((i): StatusAddress[] =>
    i.ip ? [{ ip: i.ip }] : i.hostname ? [{ hostname: i.hostname }] : []);
}

export function sameAddresses(a: readonly StatusAddress[] | undefined, b: readonly StatusAddress[] | undefined): boolean {
  const key = (list: readonly StatusAddress[] | undefined) => (list ?? []).map((x) => `${x.ip ?? ''}|${x.hostname ?? ''}`).sort().join(',');
  return key(a) === key(b);
}

export interface StatusPatch {
  namespace: string;
  name: string;
  addresses: StatusAddress[];
}

/**
 * The patches one reconciliation needs. `previouslyServed` (keys
 * "namespace/name") is what this process served before; Ingresses in it that
 * are no longer served are cleared.
 */
export function planStatusPatches(
  all: readonly V1Ingress[],
  served: readonly V1Ingress[],
  desired: readonly StatusAddress[],
  previouslyServed: ReadonlySet<string>,
): StatusPatch[] {
  const patches: StatusPatch[] = [];
  const servedKeys = new Set(served.map(keyOf));
  for (const ingress of served) {
    if (!sameAddresses(ingress.status?.loadBalancer?.ingress, desired)) patches.push({ ...idOf(ingress), addresses: [...desired] });
  }
  for (const ingress of all) {
    const key = keyOf(ingress);
    if (servedKeys.has(key) || !previouslyServed.has(key)) continue;
    if ((ingress.status?.loadBalancer?.ingress ?? []).length > 0) patches.push({ ...idOf(ingress), addresses: [] });
  }
  return patches;
}

export function keyOf(ingress: V1Ingress): string {
  return `${ingress.metadata?.namespace}/${ingress.metadata?.name}`;
}

function idOf(ingress: V1Ingress): { namespace: string; name: string } {
  return { namespace: ingress.metadata?.namespace ?? 'default', name: ingress.metadata?.name ?? '' };
}
