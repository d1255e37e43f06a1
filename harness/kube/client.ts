// Kubernetes access for the harness: typed clients from one kubeconfig,
// server-side apply, and the handful of bounded waits suites need.
import * as k8s from '@kubernetes/client-node';
import { waitFor, type WaitResult } from '../../lib/wait.ts';

export const FIELD_MANAGER = 'vipcheck';

export class Kube {
  readonly config: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly networking: k8s.NetworkingV1Api;
  readonly discovery: k8s.DiscoveryV1Api;
  readonly events: k8s.EventsV1Api;
  readonly objects: k8s.KubernetesObjectApi;

  constructor(kubeconfigPath: string) {
    this.config = new k8s.KubeConfig();
    this.config.loadFromFile(kubeconfigPath);
    this.core = this.config.makeApiClient(k8s.CoreV1Api);
    this.apps = this.config.makeApiClient(k8s.AppsV1Api);
    this.networking = this.config.makeApiClient(k8s.NetworkingV1Api);
    this.discovery = this.config.makeApiClient(k8s.DiscoveryV1Api);
    this.events = this.config.makeApiClient(k8s.EventsV1Api);
    this.objects = k8s.KubernetesObjectApi.makeApiClient(this.config);
  }

  /** Server-side apply of one object; the error names the object and what the API server said. */
  async apply<T extends k8s.KubernetesObject>(object: T, source = 'object'): Promise<T> {
    try {
      return await this.objects.patch(object, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    } catch (error) {
      throw new Error(`applying ${describeObject(object)} from ${source}: ${apiErrorMessage(error)}`);
    }
  }

  async deleteObject(object: k8s.KubernetesObject): Promise<void> {
    try {
      await this.objects.delete(object);
    } catch (error) {
      if (statusOf(error) !== 404) throw new Error(`deleting ${describeObject(object)}: ${apiErrorMessage(error)}`);
    }
  }

  async ensureNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } as k8s.V1Namespace);
  }

  /** Deletes a namespace and, when asked, waits until it is gone. */
  async deleteNamespace(name: string, options: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.core.deleteNamespace({ name });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw error;
    }
    if (options.wait) {
      await waitFor(`namespace ${name} to be deleted`, async () => {
        try {
          const ns = await this.core.readNamespace({ name });
          return { ok: false, observed: `phase ${ns.status?.phase}` };
        } catch (error) {
          return { ok: statusOf(error) === 404, observed: apiErrorMessage(error) };
        }
      }, { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 250 });
    }
  }

  /** Waits until a Deployment has all replicas updated and ready. */
  waitForDeployment(namespace: string, name: string, timeoutMs: number): Promise<WaitResult<k8s.V1Deployment>> {
    return waitFor(`Deployment ${namespace}/${name} to have all replicas ready`, async () => {
      const d = await this.apps.readNamespacedDeployment({ namespace, name });
      const want = d.spec?.replicas ?? 1;
      const s = d.status ?? {};
      const ok = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && (s.updatedReplicas ?? 0) === want && (s.readyReplicas ?? 0) === want && (s.replicas ?? 0) === want;
      return { ok, value: d, observed: `want ${want}, replicas ${s.replicas ?? 0}, updated ${s.updatedReplicas ?? 0}, ready ${s.readyReplicas ?? 0}` };
    }, { timeoutMs, intervalMs: 250 });
  }

  waitForDaemonSet(namespace: string, name: string, timeoutMs: number): Promise<WaitResult<k8s.V1DaemonSet>> {
    return waitFor(`DaemonSet ${namespace}/${name} to be ready on every node`, async () => {
      const d = await this.apps.readNamespacedDaemonSet({ namespace, name });
      const s = d.status;
      const ok = !!s && s.desiredNumberScheduled > 0 && s.numberReady === s.desiredNumberScheduled && (s.updatedNumberScheduled ?? 0) === s.desiredNumberScheduled;
      return { ok, value: d, observed: `desired ${s?.desiredNumberScheduled}, ready ${s?.numberReady}, updated ${s?.updatedNumberScheduled}` };
    }, { timeoutMs, intervalMs: 250 });
  }

  /** Waits for a LoadBalancer Service to get an address in status and returns it. */
  async waitForLoadBalancerIp(namespace: string, name: string, timeoutMs: number): Promise<WaitResult<string>> {
    return waitFor(`Service ${namespace}/${name} to get a LoadBalancer address`, async () => {
      const svc = await this.core.readNamespacedService({ namespace, name });
      const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
      return { ok: !!ip, value: ip, observed: `status.loadBalancer: ${JSON.stringify(svc.status?.loadBalancer ?? {})}` };
    }, { timeoutMs, intervalMs: 200 });
  }

  /** Ready endpoint addresses of a Service, from its EndpointSlices. */
  async readyEndpoints(namespace: string, service: string): Promise<{ address: string; nodeName?: string; pod?: string }[]> {
    const slices = await this.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
    return slices.items.flatMap((s) => (s.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false)
      .flatMap((e) => e.addresses.map((address) => ({ address, nodeName: e.nodeName, pod: e.targetRef?.name }))));
  }

  /** Events about an object (core/v1 and events.k8s.io/v1 are the same store). */
  /**
   * The events of one object, oldest first. `since` keeps those last seen at
   * or after it; core/v1 events carry whole seconds, so `since` is rounded
   * down to its second (an event of the same second counts as after).
   */
  async eventsFor(namespace: string, kind: string, name: string, options: { since?: Date } = {}): Promise<ObjectEvent[]> {
    const list = await this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` });
    return eventsSince(list.items.map(toObjectEvent), options.since);
  }

  async podsOf(namespace: string, labelSelector: string): Promise<k8s.V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector })).items;
  }
}

export interface ObjectEvent {
  reason: string;
  message: string;
  type: string;
  /** How many times it happened (a repeated event is one object with a count). */
  count: number;
  /** When it last happened; undefined only if the emitter set no time at all. */
  lastSeen: Date | undefined;
}

export function toObjectEvent(e: k8s.CoreV1Event): ObjectEvent {
  const time = e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return { reason: e.reason ?? '', message: e.message ?? '', type: e.type ?? '', count: e.series?.count ?? e.count ?? 1, lastSeen: time ? new Date(time) : undefined };
}

/** Oldest first; with `since`, only those last seen in its second or later. */
export function eventsSince(events: ObjectEvent[], since?: Date): ObjectEvent[] {
  const sorted = [...events].sort((a, b) => (a.lastSeen?.getTime() ?? 0) - (b.lastSeen?.getTime() ?? 0));
  if (!since) return sorted;
  const from = Math.floor(since.getTime() / 1000) * 1000;
  return sorted.filter((e) => (e.lastSeen?.getTime() ?? 0) >= from);
}

export function describeObject(object: k8s.KubernetesObject): string {
  const ns = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind ?? '?'} ${ns}${object.metadata?.name ?? '?'}`;
}

export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: number; statusCode?: number; response?: { statusCode?: number } };
  return e?.code ?? e?.statusCode ?? e?.response?.statusCode;
}

/** The API server's own message from an ApiException (its body is a raw JSON string). */
export function apiErrorMessage(error: unknown): string {
  const body = (error as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      return body.slice(0, 500);
    }
  }
  return (error as Error)?.message ?? String(error);
}
