// Problems found in Ingresses (bad TLS Secret, invalid rule, lost conflict)
// become Warning Events on the Ingress, so `kubectl describe ingress` shows
// them. Each distinct problem is reported once while it lasts; when it goes
// away and comes back it is reported again.
import { CoreV1Api, type KubeConfig, type V1Ingress } from '@kubernetes/client-node';
import type { Logger } from '../log.ts';
import type { IngressIssue } from '../snapshot.ts';
import { describeError, type ApiCall } from './cluster-watch.ts';

/** createNamespacedEvent below (core/v1 Events; each problem is a new Event, never patched). */
export const EVENT_CALLS: readonly ApiCall[] = [{ group: '', resource: 'events', verb: 'create' }];

export class EventRecorder {
  readonly #api: CoreV1Api;
  readonly #log: Logger;
  readonly #component: string;
  readonly #instance: string | undefined;
  readonly #host: string | undefined;
  #reported = new Set<string>();

  constructor(kubeconfig: KubeConfig, log: Logger, who: { controllerName: string; podName?: string; nodeName?: string }) {
    this.#api = kubeconfig.makeApiClient(CoreV1Api);
    this.#log = log;
    this.#component = who.controllerName;
    this.#instance = who.podName;
    this.#host = who.nodeName;
  }

  report(issues: readonly IngressIssue[], ingresses: readonly V1Ingress[]): void {
    const byRef = new Map(ingresses.map((i) => [`${i.metadata?.namespace}/${i.metadata?.name}`, i]));
    const current = new Set<string>();
    for (const issue of issues) {
      const ingress = byRef.get(`${issue.ingress.namespace}/${issue.ingress.name}`);
      if (!ingress?.metadata?.uid) continue;
      const key = `${ingress.metadata.uid}|${issue.reason}|${issue.message}`;
      current.add(key);
      if (this.#reported.has(key)) continue;
      this.#log.warn('ingress problem', { ingress: `${issue.ingress.namespace}/${issue.ingress.name}`, reason: issue.reason, message: issue.message });
      void this.#emit(ingress, issue);
    }
    this.#reported = current;
  }

  async #emit(ingress: V1Ingress, issue: IngressIssue): Promise<void> {
    const now = new Date();
    const namespace = ingress.metadata!.namespace ?? 'default';
    try {
      await this.#api.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${ingress.metadata!.name}.`, namespace },
          involvedObject: {
            apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace, name: ingress.metadata!.name,
            uid: ingress.metadata!.uid, resourceVersion: ingress.metadata!.resourceVersion,
          },
          type: 'Warning',
          reason: issue.reason,
          message: issue.message.slice(0, 1000),
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: this.#component, host: this.#host },
          reportingComponent: this.#component,
          reportingInstance: this.#instance ?? '',
        },
      });
    } catch (error) {
      this.#log.warn('event write failed', { ingress: `${namespace}/${ingress.metadata!.name}`, reason: issue.reason, error: describeError(error) });
    }
  }
}
