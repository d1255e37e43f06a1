// The node agent as a whole: registers the Node, watches the Pods bound to
// it and runs one PodWorker per pod, serves container logs, and on the way
// out stops every pod and removes what it made.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Server } from 'node:https';
import {
  CoordinationV1Api, CoreV1Api, KubeConfig, ListWatch, PatchStrategy, Watch, setHeaderOptions,
  type KubernetesListObject, type V1Pod,
} from '@kubernetes/client-node';
import { killPids, alive } from '../../../../lib/pids.ts';
import type { NodeAgentConfig } from './config.ts';
import type { ConfigSources } from './container-spec.ts';
import { HostPortRules } from './hostports.ts';
import { startLogServer } from './log-server.ts';
import { describe, NodeRegistration } from './node-registration.ts';
import { NodeStateStore, processStartTicks, type ProcessRecord } from './node-state.ts';
import { HostMountNamespace, PodNetworks } from './pod-network.ts';
import type { LogLocation } from './container-log-files.ts';
import { PodWorker, type PodApi } from './pod-worker.ts';
import { ServiceAccountCredentials, type TokenRequester } from './service-account.ts';

const INFORMER_BACKOFF_MAX_MS = 30_000;
/** How long a finished pod's uid is remembered (uids are never reused). */
const DONE_MEMORY_MS = 10 * 60_000;
/** Agent shutdown must finish well inside the supervisor's 15 s. */
const SHUTDOWN_BUDGET_MS = 10_000;

function statusCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

/** The CA that verifies the apiserver: what pods get as ca.crt. */
function clusterCaPem(kc: KubeConfig, fallbackFile: string): string {
  const cluster = kc.getCurrentCluster();
  if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString();
  return readFileSync(cluster?.caFile ?? fallbackFile, 'utf8');
}

export class NodeAgent {
  readonly config: NodeAgentConfig;
  private readonly log: (line: string) => void;
  private readonly kc = new KubeConfig();
  private readonly core: CoreV1Api;
  private readonly workers = new Map<string, PodWorker>();
  /** Pods this agent has finished with (uid → when): late watch events for them must not start a new worker. */
  private readonly done = new Map<string, number>();
  private readonly hostPorts = new HostPortRules();
  private registration!: NodeRegistration;
  private state!: NodeStateStore;
  private networks!: PodNetworks;
  private credentials!: ServiceAccountCredentials;
  private informer: ListWatch<V1Pod> | undefined;
  private informerBackoffMs = 0;
  private informerRetry: NodeJS.Timeout | undefined;
  private logServer: Server | undefined;
  private stopping = false;

  constructor(config: NodeAgentConfig, log: (line: string) => void) {
    this.config = config;
    this.log = log;
    this.kc.loadFromFile(config.kubeconfig);
    this.core = this.kc.makeApiClient(CoreV1Api);
  }

  async start(): Promise<void> {
    const { config } = this;
    this.log(`node agent for ${config.nodeName} (${config.nodeAddress}, pods ${config.podCidr}, apiserver ${this.kc.getCurrentCluster()?.server}); ${Object.keys(config.images).length} images`);
    const mountNs = HostMountNamespace.ofParent();
    if (mountNs.path) this.log(`pod namespaces are mounted in the mount namespace of pid ${process.ppid} (we run under ip netns exec)`);
    this.networks = new PodNetworks(mountNs, config.podGateway);
    this.state = await NodeStateStore.load(config.runDir);
    await this.reclaim();
    await this.hostPorts.reset();

    this.registration = new NodeRegistration(config, this.core, this.kc.makeApiClient(CoordinationV1Api), this.log);
    await this.registration.register();
    this.registration.start();

    this.credentials = new ServiceAccountCredentials({
      request: this.tokenRequester(),
      caPem: clusterCaPem(this.kc, config.caFile),
      apiServerUrl: config.apiServerUrl,
      log: this.log,
    });

    this.logServer = await startLogServer({
      host: config.nodeAddress,
      port: config.kubeletPort,
      cert: readFileSync(config.servingCertFile),
      key: readFileSync(config.servingKeyFile),
      ca: readFileSync(config.caFile),
      lookup: { logLocation: (ns, pod, container, previous) => this.logLocation(ns, pod, container, previous) },
      log: this.log,
    });
    this.log(`log endpoint on https://${config.nodeAddress}:${config.kubeletPort}`);

    this.startInformer();
  }

  /** Removes what a crashed agent of this node left: processes, pod namespaces, veths, pod directories. */
  private async reclaim(): Promise<void> {
    const stale = Object.entries(this.state.state.pods);
    for (const [uid, record] of stale) {
      await killOurProcesses(record.processes);
      await this.networks.teardown({ netns: record.netns, hostVeth: record.hostVeth });
      await rm(path.join(this.config.runDir, 'pods', uid), { recursive: true, force: true });
      this.log(`reclaimed pod ${record.namespace}/${record.name} left by an earlier agent${record.netns ? ` (${record.netns}, ${record.podIP})` : ''}`);
    }
    if (stale.length > 0) {
      await this.state.update((s) => {
        s.pods = {};
      });
    }
  }

  // ---- the pods of this node -------------------------------------------------------------

  private startInformer(): void {
    const fieldSelector = `spec.nodeName=${this.config.nodeName}`;
    const list = async (): Promise<KubernetesListObject<V1Pod>> => {
      const typed = await this.core.listPodForAllNamespaces({ fieldSelector });
      // Plain JSON like the watch events (typed lists carry Date objects).
      return JSON.parse(JSON.stringify(typed)) as KubernetesListObject<V1Pod>;
    };
    const informer = new ListWatch<V1Pod>('/api/v1/pods', new Watch(this.kc), list, false, undefined, fieldSelector);
    informer.on('add', (pod) => this.onPod(pod));
    informer.on('update', (pod) => this.onPod(pod));
    informer.on('delete', (pod) => this.onPodGone(pod));
    informer.on('error', (error) => {
      if (this.stopping) return;
      this.informerBackoffMs = Math.min(Math.max(1000, this.informerBackoffMs * 2), INFORMER_BACKOFF_MAX_MS);
      this.log(`pod watch failed, restarting in ${this.informerBackoffMs / 1000} s: ${describe(error)}`);
      this.informerRetry = setTimeout(() => void informer.start().catch(() => undefined), this.informerBackoffMs);
    });
    this.informer = informer;
    void informer.start().catch(() => undefined);
  }

  private onPod(pod: V1Pod): void {
    this.informerBackoffMs = 0;
    if (this.stopping || pod.spec?.nodeName !== this.config.nodeName) return;
    const uid = pod.metadata?.uid;
    if (!uid) return;
    // Same name, new uid: the old pod is gone even if no delete event came.
    for (const worker of this.workers.values()) {
      if (worker.uid !== uid && worker.namespace === pod.metadata?.namespace && worker.podName === pod.metadata?.name) worker.removed();
    }
    const existing = this.workers.get(uid);
    if (existing) return existing.update(pod);
    if (this.done.has(uid)) return;
    const worker = new PodWorker(pod, {
      config: this.config,
      api: this.podApi(),
      sources: this.configSources(),
      networks: this.networks,
      hostPorts: this.hostPorts,
      state: this.state,
      credentials: this.credentials,
      log: this.log,
      onFinished: (id) => {
        if (this.workers.get(id) === worker) this.workers.delete(id);
        this.rememberDone(id);
      },
    });
    this.workers.set(uid, worker);
    worker.start();
  }

  private rememberDone(uid: string): void {
    const now = Date.now();
    this.done.set(uid, now);
    for (const [id, at] of this.done) if (now - at > DONE_MEMORY_MS) this.done.delete(id);
  }

  private onPodGone(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (uid) this.workers.get(uid)?.removed();
  }

  private logLocation(namespace: string, pod: string, container: string, previous: boolean): LogLocation | string | undefined {
    for (const worker of this.workers.values()) {
      if (worker.namespace === namespace && worker.podName === pod) return worker.logLocation(container, previous);
    }
    return undefined;
  }

  // ---- API access for the workers --------------------------------------------------------

  private podApi(): PodApi {
    const core = this.core;
    return {
      async patchStatus(namespace, name, body) {
        try {
          await core.patchNamespacedPodStatus({ namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
        } catch (error) {
          if (statusCode(error) === 404) return; // deleted meanwhile
          throw new Error(describe(error));
        }
      },
      async deletePod(namespace, name, uid) {
        try {
          // With a body the apiserver ignores the query parameters: the grace period goes in the body too.
          await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid } } });
        } catch (error) {
          const code = statusCode(error);
          if (code === 404 || code === 409) return; // gone, or replaced by a pod with another uid
          throw new Error(describe(error));
        }
      },
    };
  }

  private configSources(): ConfigSources {
    const core = this.core;
    return {
      async configMap(namespace, name) {
        try {
          const cm = await core.readNamespacedConfigMap({ namespace, name });
          const binary = Object.fromEntries(Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
          return { ...binary, ...(cm.data ?? {}) };
        } catch (error) {
          if (statusCode(error) === 404) return undefined;
          throw new Error(`reading ConfigMap ${namespace}/${name}: ${describe(error)}`);
        }
      },
      async secret(namespace, name) {
        try {
          const secret = await core.readNamespacedSecret({ namespace, name });
          return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
        } catch (error) {
          if (statusCode(error) === 404) return undefined;
          throw new Error(`reading Secret ${namespace}/${name}: ${describe(error)}`);
        }
      },
    };
  }

  private tokenRequester(): TokenRequester {
    const core = this.core;
    return async (namespace, serviceAccount, pod, expirationSeconds) => {
      try {
        const response = await core.createNamespacedServiceAccountToken({
          namespace,
          name: serviceAccount,
          body: { spec: { audiences: [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid } } },
        });
        const token = response.status?.token;
        if (!token) throw new Error('TokenRequest answered without a token');
        const expires = response.status?.expirationTimestamp;
        return { token, expiresAt: expires ? new Date(expires) : new Date(Date.now() + expirationSeconds * 1000) };
      } catch (error) {
        throw new Error(`token for ServiceAccount ${namespace}/${serviceAccount}: ${describe(error)}`);
      }
    };
  }

  // ---- shutdown --------------------------------------------------------------------------

  /** Stops every pod and removes their namespaces, veths and rules; leaves the API objects alone. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.informerRetry);
    await this.informer?.stop().catch(() => undefined);
    this.registration?.stop();
    this.logServer?.closeAllConnections();
    this.logServer?.close();
    const workers = [...this.workers.values()];
    this.log(`stopping ${workers.length} pod(s)`);
    const all = Promise.all(workers.map((w) => w.shutdown()));
    const bounded = await Promise.race([all.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), SHUTDOWN_BUDGET_MS))]);
    if (!bounded) this.log(`pods did not stop within ${SHUTDOWN_BUDGET_MS} ms; the next agent or 'vipcheck down' reclaims them`);
    await this.hostPorts.destroy().catch(() => undefined);
    this.log('stopped');
  }
}

/** Kills processes a previous agent started, when their start time shows they are still the same processes. */
async function killOurProcesses(records: ProcessRecord[]): Promise<void> {
  const ours = records.filter((r) => processStartTicks(r.pid) === r.startTicks && alive(r.pid));
  for (const r of ours) {
    try {
      process.kill(-r.pid, 'SIGKILL');
    } catch {
      // not a group leader any more
    }
  }
  await killPids(ours.map((r) => r.pid), 500);
}
