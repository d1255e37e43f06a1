// One immutable view of everything the proxy needs to answer requests, built
// from the whole cluster state at once so that a request never sees half of
// an update: the routing table, the endpoints, the certificates, and the
// problems found on the way (reported as Events on the Ingresses).
import type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Namespace, V1Secret, V1Service } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { selectServedIngresses, type ClassSelectionConfig } from './routing/class-selection.ts';
import { IngressPrecedence, refOf, refText, type IngressRef } from './routing/order.ts';
import { RoutingTable } from './routing/table.ts';
import { buildCertificateStore, type CertificateStore, type PemPair } from './tls/certificates.ts';
import { EndpointDirectory } from './upstream/endpoints.ts';

/** The objects the proxy watches. Informers fill it in a cluster; tests and --state-file fill it directly. */
export interface ClusterState {
  ingresses: V1Ingress[];
  ingressClasses: V1IngressClass[];
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  secrets: V1Secret[];
  /** Only their deletionTimestamp matters: an Ingress in a terminating namespace loses every conflict. */
  namespaces: V1Namespace[];
}

export function emptyClusterState(): ClusterState {
  return { ingresses: [], ingressClasses: [], services: [], endpointSlices: [], secrets: [], namespaces: [] };
}

export interface IngressIssue {
  ingress: IngressRef;
  /** Event reason: InvalidRule, RuleConflict, InvalidTLSSecret, TLSHostConflict. */
  reason: string;
  message: string;
}

export interface ProxySnapshot {
  /** The Ingresses this controller serves (class selection applied). */
  served: V1Ingress[];
  routes: RoutingTable;
  endpoints: EndpointDirectory;
  certificates: CertificateStore<SecureContext>;
  issues: IngressIssue[];
}

export class SnapshotBuilder {
  readonly #classes: ClassSelectionConfig;
  readonly #defaultContext: SecureContext;
  /** SecureContexts by certificate+key digest: a rebuild reuses them unless a Secret really changed. */
  #contexts = new Map<string, SecureContext>();

  constructor(classes: ClassSelectionConfig, defaultCertificate: PemPair) {
    this.#classes = classes;
    this.#defaultContext = createSecureContext(defaultCertificate);
  }

  build(state: ClusterState): ProxySnapshot {
    const served = selectServedIngresses(state.ingresses, state.ingressClasses, this.#classes);
    const precedence = new IngressPrecedence(state.namespaces);
    const routes = RoutingTable.build(served, precedence);
    const used = new Map<string, SecureContext>();
    const { store, issues: tlsIssues } = buildCertificateStore(served, state.secrets, (pem, secretId) => {
      const digest = createHash('sha256').update(pem.cert).update('\0').update(pem.key).digest('hex');
      let context = used.get(digest) ?? this.#contexts.get(digest);
      if (!context) {
        try {
          context = createSecureContext(pem);
        } catch (error) {
          throw new Error(`Secret ${secretId}: tls.crt and tls.key are not a usable pair (${(error as Error).message})`);
        }
      }
      used.set(digest, context);
      return context;
    }, this.#defaultContext, precedence);
    this.#contexts = used;
    // An Ingress on its way out gets no Events: nobody will read them, and a terminating namespace refuses new objects.
    const going = new Set(served.filter((i) => precedence.terminating(i) !== undefined).map((i) => refText(refOf(i))));
    return {
      served,
      routes,
      endpoints: new EndpointDirectory(state.services, state.endpointSlices),
      certificates: store,
      issues: [
        ...routes.issues.map((i) => ({ ingress: i.ingress, reason: i.kind === 'conflict' ? 'RuleConflict' : 'InvalidRule', message: i.message })),
        ...tlsIssues,
      ].filter((issue) => !going.has(refText(issue.ingress))),
    };
  }
}
