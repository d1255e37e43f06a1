// Keeps a local copy of the objects the proxy needs (Ingress, IngressClass,
// Service, EndpointSlice, kubernetes.io/tls Secret, Namespace) with client-node
// list+watch informers, and says when something changed.
//
// client-node 2.x's ListWatch re-lists by itself on 410 Gone and re-watches
// after a watch timeout, but on any other error (API server down, 5xx, list
// failure) it reports the error and stops. Each informer here is restarted
// after such an error with exponential backoff (1 s doubling to 30 s, reset
// by the next successful list), until stop().
import { CoreV1Api, DiscoveryV1Api, ListWatch, NetworkingV1Api, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../log.ts';
import type { ClusterState } from '../snapshot.ts';
import { TLS_SECRET_TYPE } from '../tls/certificates.ts';

const BACKOFF_START_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

class ResilientInformer<T extends KubernetesObject> {
  readonly name: string;
  readonly #list: ListWatch<T>;
  readonly #log: Logger;
  readonly #onChange: () => void;
  #synced = false;
  #stopped = false;
  #backoffMs = BACKOFF_START_MS;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: {
    name: string;
    kubeconfig: KubeConfig;
    path: string;
    list: () => Promise<KubernetesListObject<T>>;
    fieldSelector?: string;
    log: Logger;
    onChange: () => void;
  }) {
    this.name = options.name;
    this.#log = options.log;
    this.#onChange = options.onChange;
    const list = async () => {
      const result = await options.list();
      this.#synced = true;
      this.#backoffMs = BACKOFF_START_MS;
      return result;
    };
    this.#list = new ListWatch<T>(options.path, new Watch(options.kubeconfig), list, false, undefined, options.fieldSelector);
    for (const verb of ['add', 'update', 'delete'] as const) this.#list.on(verb, () => this.#onChange());
    this.#list.on('error', (error?: unknown) => this.#restartLater(error));
  }

  get synced(): boolean {
    return this.#synced;
  }

  objects(): T[] {
    return [...this.#list.list()];
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#list.start();
    // An empty list produces no add events: say "changed" once the first list is in.
    if (this.#synced) this.#onChange();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    await this.#list.stop();
  }

  #restartLater(error: unknown): void {
    if (this.#stopped || this.#restartTimer) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, BACKOFF_MAX_MS);
    this.#log.warn('watch failed; restarting', { resource: this.name, retryInMs: delay, error: describeError(error) });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#stopped) return;
      this.start().catch((e: unknown) => this.#restartLater(e));
    }, delay);
  }
}

/** An API call the controller makes: RBAC (fixtures/proxy/20-rbac.yaml) grants exactly the calls listed next to the code that makes them. */
export interface ApiCall {
  /** "" for the core group. */
  group: string;
  resource: string;
  verb: string;
}

type Watched = keyof ClusterState;

/** What is watched, cluster-wide: each is one list+watch. */
const WATCHES: Record<Watched, { group: string; resource: string; path: string; fieldSelector?: string }> = {
  ingresses: { group: 'networking.k8s.io', resource: 'ingresses', path: '/apis/networking.k8s.io/v1/ingresses' },
  ingressClasses: { group: 'networking.k8s.io', resource: 'ingressclasses', path: '/apis/networking.k8s.io/v1/ingressclasses' },
  services: { group: '', resource: 'services', path: '/api/v1/services' },
  endpointSlices: { group: 'discovery.k8s.io', resource: 'endpointslices', path: '/apis/discovery.k8s.io/v1/endpointslices' },
  // Only TLS Secrets: everything else (tokens, app config) is none of our business.
  secrets: { group: '', resource: 'secrets', path: '/api/v1/secrets', fieldSelector: `type=${TLS_SECRET_TYPE}` },
  // For their deletionTimestamp: an Ingress in a terminating namespace loses its claims (routing/order.ts).
  namespaces: { group: '', resource: 'namespaces', path: '/api/v1/namespaces' },
};

export const WATCH_CALLS: readonly ApiCall[] = Object.values(WATCHES).flatMap((w) => ['list', 'watch'].map((verb) => ({ group: w.group, resource: w.resource, verb })));

export class ClusterWatch {
  readonly #informers: Record<Watched, ResilientInformer<KubernetesObject>>;

  constructor(kubeconfig: KubeConfig, log: Logger, onChange: () => void) {
    const networking = kubeconfig.makeApiClient(NetworkingV1Api);
    const core = kubeconfig.makeApiClient(CoreV1Api);
    const discovery = kubeconfig.makeApiClient(DiscoveryV1Api);
    // The generated list types are concrete classes; the informer only needs items + metadata.
    const as = <L>(p: Promise<L>) => p as unknown as Promise<KubernetesListObject<KubernetesObject>>;
    const lists: Record<Watched, () => Promise<KubernetesListObject<KubernetesObject>>> = {
      ingresses: () => as(networking.listIngressForAllNamespaces()),
      ingressClasses: () => as(networking.listIngressClass()),
      services: () => as(core.listServiceForAllNamespaces()),
      endpointSlices: () => as(discovery.listEndpointSliceForAllNamespaces()),
      secrets: () => as(core.listSecretForAllNamespaces({ fieldSelector: WATCHES.secrets.fieldSelector })),
      namespaces: () => as(core.listNamespace()),
    };
    const informer = (key: Watched) => new ResilientInformer({
      kubeconfig, log, onChange, name: WATCHES[key].resource, path: WATCHES[key].path, fieldSelector: WATCHES[key].fieldSelector, list: lists[key],
    });
    this.#informers = {
      ingresses: informer('ingresses'),
      ingressClasses: informer('ingressClasses'),
      services: informer('services'),
      endpointSlices: informer('endpointSlices'),
      secrets: informer('secrets'),
      namespaces: informer('namespaces'),
    };
  }

  /** Starts every informer; resolves once each has tried its first list (failures retry in the background). */
  async start(): Promise<void> {
    await Promise.all(Object.values(this.#informers).map((i) => i.start()));
  }

  /** Every informer has listed at least once: the state is complete enough to serve. */
  get synced(): boolean {
    return Object.values(this.#informers).every((i) => i.synced);
  }

  /** Which informers have not listed yet (for /readyz and logs). */
  get unsynced(): string[] {
    return Object.values(this.#informers).filter((i) => !i.synced).map((i) => i.name);
  }

  state(): ClusterState {
    const i = this.#informers;
    return {
      ingresses: i.ingresses.objects() as ClusterState['ingresses'],
      ingressClasses: i.ingressClasses.objects() as ClusterState['ingressClasses'],
      services: i.services.objects() as ClusterState['services'],
      endpointSlices: i.endpointSlices.objects() as ClusterState['endpointSlices'],
      secrets: i.secrets.objects() as ClusterState['secrets'],
      namespaces: i.namespaces.objects() as ClusterState['namespaces'],
    };
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.#informers).map((i) => i.stop()));
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { statusCode?: number; code?: number | string }).statusCode ?? (error as { code?: unknown }).code;
    return `${error.name}: ${error.message}${status !== undefined ? ` (${status})` : ''}`;
  }
  return String(error);
}
