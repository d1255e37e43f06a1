// From a backend reference (Service + port name or number) to the addresses
// that may take traffic, read from the Service and its EndpointSlices.
//
//  - The Service must exist and have the port: a numbered backend port is
//    looked up in spec.ports by `port` and continues by that port's name; a
//    named one by `name`. (Its `targetPort` is already resolved per pod in
//    the EndpointSlices.)
//  - EndpointSlices are those labelled kubernetes.io/service-name=<service>
//    in the Service's namespace; in each, the port with the same name ("" for
//    an unnamed single port) gives the pod port.
//  - An endpoint takes traffic when conditions.ready is not false. When none
//    is ready, endpoints that are still serving while terminating are used,
//    so a rolling update never leaves a gap that real pods could fill.
//  - The same address:port listed by two slices (during a slice hand-over)
//    counts once.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { ServiceBackendRef } from '../routing/table.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface Endpoint {
  address: string;
  port: number;
  /** "address:port" ("[v6]:port"), unique per endpoint, used for pools and balancing. */
  key: string;
  /** Pod name when the slice says so, for logs. */
  pod: string | undefined;
}

export type BackendResolution =
  | { ok: true; key: string; endpoints: readonly Endpoint[] }
  | { ok: false; key: string; status: 503; reason: string };

export function backendKey(ref: ServiceBackendRef): string {
  return `${ref.namespace}/${ref.service}:${ref.port}`;
}

export class EndpointDirectory {
  readonly #services = new Map<string, V1Service>();
  readonly #slices = new Map<string, V1EndpointSlice[]>();
  readonly #resolved = new Map<string, BackendResolution>();

  constructor(services: readonly V1Service[], slices: readonly V1EndpointSlice[]) {
    for (const service of services) {
      this.#services.set(`${service.metadata?.namespace ?? 'default'}/${service.metadata?.name}`, service);
    }
    for (const slice of slices) {
      const owner = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!owner) continue;
      const key = `${slice.metadata?.namespace ?? 'default'}/${owner}`;
      const list = this.#slices.get(key);
      if (list) list.push(slice);
      else this.#slices.set(key, [slice]);
    }
  }

  /** Resolves (and memoizes: the directory is immutable) a backend. */
  resolve(ref: ServiceBackendRef): BackendResolution {
    const key = backendKey(ref);
    let result = this.#resolved.get(key);
    if (!result) this.#resolved.set(key, (result = this.#compute(ref, key)));
    return result;
  }

  #compute(ref: ServiceBackendRef, key: string): BackendResolution {
    const fail = (reason: string): BackendResolution => ({ ok: false, key, status: 503, reason });
    const serviceId = `${ref.namespace}/${ref.service}`;
    const service = this.#services.get(serviceId);
    if (!service) return fail(`Service ${serviceId} does not exist`);
    if (service.spec?.type === 'ExternalName') return fail(`Service ${serviceId} is of type ExternalName, which this controller does not proxy to`);
    const servicePort = (service.spec?.ports ?? []).find((p) => (typeof ref.port === 'number' ? p.port === ref.port : p.name === ref.port));
    if (!servicePort) {
      const known = (service.spec?.ports ?? []).map((p) => (p.name ? `${p.name}/${p.port}` : String(p.port))).join(', ') || 'none';
      return fail(`Service ${serviceId} has no port ${typeof ref.port === 'number' ? ref.port : `named "${ref.port}"`} (ports: ${known})`);
    }
    if (servicePort.protocol && servicePort.protocol !== 'TCP') return fail(`Service ${serviceId} port ${ref.port} is ${servicePort.protocol}, not TCP`);
    const portName = servicePort.name ?? '';

    const ready = new Map<string, Endpoint>();
    const terminating = new Map<string, Endpoint>();
    for (const slice of this.#slices.get(serviceId) ?? []) {
      if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
      const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === portName);
      const port = slicePort?.port;
      if (port === undefined || port === null || (slicePort?.protocol && slicePort.protocol !== 'TCP')) continue;
      for (const endpoint of slice.endpoints ?? []) {
        const address = endpoint.addresses?.[0];
        if (!address) continue;
        const conditions = endpoint.conditions ?? {};
        const entry: Endpoint = { address, port, key: endpointKey(address, port), pod: endpoint.targetRef?.name };
        if (conditions.ready !== false) ready.set(entry.key, entry);
        else if (conditions.serving === true && conditions.terminating === true) terminating.set(entry.key, entry);
      }
    }
    const usable = ready.size > 0 ? ready : terminating;
    if (usable.size === 0) return fail(`Service ${serviceId} port ${ref.port} has no ready endpoint`);
    return { ok: true, key, endpoints: [...usable.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
  }
}

export function endpointKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
