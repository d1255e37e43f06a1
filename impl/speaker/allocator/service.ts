// What a Kubernetes Service asks of the load balancer, read from its spec
// and MetalLB's annotations. Pure functions over the API object.
import type { V1Service } from '@kubernetes/client-node';
import type { AllocationSpec, Port } from './allocator.ts';
import { looksLikeIPv6, parseIPv4 } from '../../../lib/net/index.ts';

export const ANNOTATION_ADDRESS_POOL = 'metallb.universe.tf/address-pool';
export const ANNOTATION_LOAD_BALANCER_IPS = 'metallb.universe.tf/loadBalancerIPs';
export const ANNOTATION_ALLOW_SHARED_IP = 'metallb.universe.tf/allow-shared-ip';

/** A Service's request cannot be understood (both request fields set, a malformed address…). */
export class ServiceRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceRequestError';
  }
}

export function serviceKey(service: V1Service): string {
  return `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
}

/** type LoadBalancer and not handed to another implementation through spec.loadBalancerClass. */
export function isOurLoadBalancer(service: V1Service): boolean {
  return service.spec?.type === 'LoadBalancer' && !service.spec.loadBalancerClass;
}

/** Handed to another load-balancer implementation: we neither allocate nor touch its status. */
export function hasForeignClass(service: V1Service): boolean {
  return Boolean(service.spec?.loadBalancerClass);
}

export function isExternalTrafficLocal(service: V1Service): boolean {
  return service.spec?.externalTrafficPolicy === 'Local';
}

/** The IPv4 addresses in status.loadBalancer.ingress (hostnames and IPv6 are not ours). */
export function statusAddresses(service: V1Service): string[] {
  return (service.status?.loadBalancer?.ingress ?? [])
    .map((ingress) => ingress.ip)
    .filter((ip): ip is string => typeof ip === 'string' && parseIPv4(ip) !== undefined);
}

/** True when the status holds any ingress entry at all (so clearing it is a change). */
export function hasStatusIngress(service: V1Service): boolean {
  return (service.status?.loadBalancer?.ingress ?? []).length > 0;
}

/** The primary IP family the Service was created with (IPv4 when unspecified). */
export function primaryFamily(service: V1Service): 'IPv4' | 'IPv6' {
  const first = service.spec?.ipFamilies?.[0];
  if (first === 'IPv6') return 'IPv6';
  if (first === undefined && service.spec?.clusterIP && looksLikeIPv6(service.spec.clusterIP)) return 'IPv6';
  return 'IPv4';
}

/**
 * The specific address the Service asks for, from spec.loadBalancerIP or the
 * loadBalancerIPs annotation (never both). Undefined when it asks for none.
 */
export function requestedAddress(service: V1Service): string | undefined {
  const annotation = service.metadata?.annotations?.[ANNOTATION_LOAD_BALANCER_IPS]?.trim() ?? '';
  const field = service.spec?.loadBalancerIP?.trim() ?? '';
  if (annotation !== '' && field !== '') {
    throw new ServiceRequestError(`service can not have both the ${ANNOTATION_LOAD_BALANCER_IPS} annotation and spec.loadBalancerIP`);
  }
  if (annotation !== '') {
    const addresses = annotation.split(',').map((a) => a.trim());
    const v6 = addresses.find(looksLikeIPv6);
    if (v6 !== undefined) throw new ServiceRequestError(`${ANNOTATION_LOAD_BALANCER_IPS}: ${v6} is IPv6, which this load balancer does not support (IPv4 only)`);
    if (addresses.length > 1) throw new ServiceRequestError(`${ANNOTATION_LOAD_BALANCER_IPS}: ${JSON.stringify(annotation)} names ${addresses.length} addresses; only one IPv4 address is supported`);
    if (parseIPv4(addresses[0]) === undefined) throw new ServiceRequestError(`invalid ${ANNOTATION_LOAD_BALANCER_IPS}: ${JSON.stringify(annotation)}`);
    return addresses[0];
  }
  if (field !== '') {
    if (looksLikeIPv6(field)) throw new ServiceRequestError(`spec.loadBalancerIP ${field} is IPv6, which this load balancer does not support (IPv4 only)`);
    if (parseIPv4(field) === undefined) throw new ServiceRequestError(`invalid spec.loadBalancerIP ${JSON.stringify(field)}`);
    return field;
  }
  return undefined;
}

export function servicePorts(service: V1Service): Port[] {
  return (service.spec?.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));
}

/** Sharing across externalTrafficPolicy Local Services needs the same pods behind them: the selector, as sorted "k=v" pairs. */
export function backendKey(service: V1Service): string {
  if (!isExternalTrafficLocal(service)) return '';
  return Object.entries(service.spec?.selector ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function allocationSpec(service: V1Service): AllocationSpec {
  const pool = service.metadata?.annotations?.[ANNOTATION_ADDRESS_POOL]?.trim();
  return {
    ports: servicePorts(service),
    sharingKey: service.metadata?.annotations?.[ANNOTATION_ALLOW_SHARED_IP] ?? '',
    backendKey: backendKey(service),
    ...(pool ? { pool } : {}),
  };
}
