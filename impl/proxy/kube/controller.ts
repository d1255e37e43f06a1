// The control loop in a cluster: watch → (debounced) rebuild the snapshot
// from the whole state → hand it to the data plane → report problems as
// Events → bring Ingress status in line.
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import type { ProxyConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { ClusterState, ProxySnapshot } from '../snapshot.ts';
import { ClusterWatch } from './cluster-watch.ts';
import { EventRecorder } from './events.ts';
import { StatusWriter } from './status-writer.ts';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** --kubeconfig / $KUBECONFIG first, then in-cluster, then the default (~/.kube/config). */
export function loadKubeConfig(file: string | undefined): { kubeconfig: KubeConfig; source: string } {
  const kubeconfig = new KubeConfig();
  if (file) {
    kubeconfig.loadFromFile(file);
    return { kubeconfig, source: file };
  }
  if (process.env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeconfig.loadFromCluster();
    return { kubeconfig, source: 'in-cluster' };
  }
  kubeconfig.loadFromDefault();
  return { kubeconfig, source: 'default' };
}

export class IngressController {
  readonly #watch: ClusterWatch;
  readonly #status: StatusWriter;
  readonly #events: EventRecorder;
  readonly #apply: (state: ClusterState) => ProxySnapshot | undefined;
  readonly #debounceMs: number;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: { kubeconfig: KubeConfig; config: ProxyConfig; log: Logger; apply: (state: ClusterState) => ProxySnapshot | undefined }) {
    const { kubeconfig, config, log } = options;
    this.#apply = options.apply;
    this.#debounceMs = config.debounceMs;
    this.#log = log;
    this.#watch = new ClusterWatch(kubeconfig, log, () => this.#schedule());
    this.#status = new StatusWriter(kubeconfig, config, log);
    this.#events = new EventRecorder(kubeconfig, log, { controllerName: config.controllerName, podName: config.podName, nodeName: config.nodeName });
  }

  get synced(): boolean {
    return this.#watch.synced;
  }

  get unsynced(): string[] {
    return this.#watch.unsynced;
  }

  async start(): Promise<void> {
    await this.#watch.start();
    if (!this.#watch.synced) this.#log.warn('waiting for first lists', { resources: this.#watch.unsynced });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#status.stop();
    await this.#watch.stop();
  }

  /** Trailing debounce from the first change: a burst of events is one rebuild, and steady churn cannot postpone it forever. */
  #schedule(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sync();
    }, this.#debounceMs);
  }

  #sync(): void {
    if (!this.#watch.synced || this.#stopped) return;
    const state = this.#watch.state();
    const snapshot = this.#apply(state);
    if (!snapshot) return;
    this.#events.report(snapshot.issues, state.ingresses);
    this.#status.reconcile(state.ingresses, snapshot.served, state.services);
  }
}
