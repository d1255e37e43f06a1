// The one tie-break used wherever two Ingresses claim the same thing (same
// host+path+type, the default backend, a TLS host):
//  1. an Ingress that is not going away beats one that is — one with a
//     deletionTimestamp, or in a Namespace with one (since Kubernetes 1.34
//     a terminating namespace deletes its Pods first and its Ingresses only
//     after them, so for seconds its Ingresses point at nothing);
//  2. then the oldest creationTimestamp;
//  3. then namespace, then name (byte order).
// The election is recomputed from the current objects on every rebuild: a
// winner that goes away hands its claim back to the next one.
import type { V1Ingress, V1Namespace } from '@kubernetes/client-node';

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

export class IngressPrecedence {
  readonly #terminatingNamespaces: ReadonlySet<string>;

  /** `namespaces`: the cluster's Namespaces; only their deletionTimestamp is used (one not listed counts as live). */
  constructor(namespaces: readonly V1Namespace[] = []) {
    this.#terminatingNamespaces = new Set(namespaces.filter((n) => n.metadata?.deletionTimestamp).map((n) => n.metadata?.name ?? ''));
  }

  /** Why the Ingress is going away, or undefined when it is not. */
  terminating(ingress: V1Ingress): string | undefined {
    if (ingress.metadata?.deletionTimestamp) return 'it is being deleted';
    const namespace = refOf(ingress).namespace;
    if (this.#terminatingNamespaces.has(namespace)) return `its namespace ${namespace} is being deleted`;
    return undefined;
  }

  /** Negative when `a` wins over `b`. */
  compare(a: V1Ingress, b: V1Ingress): number {
    const goingA = this.terminating(a) !== undefined;
    const goingB = this.terminating(b) !== undefined;
    if (goingA !== goingB) return goingA ? 1 : -1;
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
  order(ingresses: readonly V1Ingress[]): V1Ingress[] {
    return [...ingresses].sort((a, b) => this.compare(a, b));
  }

  /** Why `winner` beat `loser` (for the loser's Event): "ns/a, which is older". */
  explain(winner: V1Ingress, loser: V1Ingress): string {
    const name = refText(refOf(winner));
    const going = this.terminating(loser);
    if (going !== undefined && this.terminating(winner) === undefined) return `${name}, which stays while this one goes (${going})`;
    if (createdAt(winner) !== createdAt(loser)) return `${name}, which is older`;
    return `${name}, created at the same time and first by namespace/name`;
  }
}
