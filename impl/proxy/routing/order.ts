// The one tie-break used wherever two Ingresses claim the same thing (same
// host+path+type, the default backend, a TLS host): the oldest
// creationTimestamp wins, then namespace, then name (byte order).
import type { V1Ingress } from '@kubernetes/client-node';

export interface IngressRef {
  namespace: string;
  name: string;
}

export function refOf(ingress: V1Ingress): IngressRef {
  return { namespace: ingress.metadata?.namespace ?? 'default', name: ingress.metadata?.name ?? '' };
}

export function refText(ref: IngressRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/** Milliseconds since the epoch; client-node gives a Date, a state file a string. A missing one sorts last. */
function createdAt(ingress: V1Ingress): number {
  const raw = ingress.metadata?.creationTimestamp as Date | string | undefined;
  if (raw === undefined) return Number.POSITIVE_INFINITY;
  const ms = new Date(raw).getTime();
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

export function compareIngresses(a: V1Ingress, b: V1Ingress): number {
  const ta = createdAt(a);
  const tb = createdAt(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ra = refOf(a);
  const rb = refOf(b);
  if (ra.namespace !== rb.namespace) return ra.namespace < rb.namespace ? -1 : 1;
  if (ra.name !== rb.name) return ra.name < rb.name ? -1 : 1;
  return 0;
}

/** A sorted copy: winners first. */
export function inPrecedenceOrder(ingresses: readonly V1Ingress[]): V1Ingress[] {
  return [...ingresses].sort(compareIngresses);
}
