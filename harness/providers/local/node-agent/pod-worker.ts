// One pod's life on this node, in the kubelet's order: sandbox (network),
// credentials and volumes, init containers one at a time, then the
// containers under the restart policy, and termination. This file decides
// what comes next; each step is done by its own module, and every change
// goes through one serialized sync (sync-loop.ts), so the informer, process
// exits, probe results and timers never race.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { NodeAgentConfig } from './config.ts';
import type { PodLaunchContext } from './container-launch.ts';
import { logDir, type LogLocation } from './container-log-files.ts';
import type { ConfigSources, PodFacts } from './container-spec.ts';
import { SHORT_GRACE_MS, terminationGraceMs } from './grace-period.ts';
import type { HostPortRules } from './hostports.ts';
import type { NodeStateStore } from './node-state.ts';
import { PodContainers } from './pod-containers.ts';
import type { PodNetworks } from './pod-network.ts';
import { PodSandbox } from './pod-sandbox.ts';
import { computePodStatus, type PodRuntime } from './pod-status.ts';
import { PodStatusWriter } from './pod-status-writer.ts';
import { preparePodFiles, type PodFiles } from './pod-volumes.ts';
import type { ServiceAccountCredentials } from './service-account.ts';
import { RETRY_MS, SyncLoop } from './sync-loop.ts';

/** What the worker needs from the API server. */
export interface PodApi {
  patchStatus(namespace: string, name: string, body: object): Promise<void>;
  /** Deletes with grace 0 and a uid precondition; a pod already gone is not an error. */
  deletePod(namespace: string, name: string, uid: string): Promise<void>;
}

export interface WorkerDeps {
  config: NodeAgentConfig;
  api: PodApi;
  sources: ConfigSources;
  networks: PodNetworks;
  hostPorts: HostPortRules;
  state: NodeStateStore;
  credentials: ServiceAccountCredentials;
  log: (line: string) => void;
  /** The worker has cleaned up after its pod and can be dropped. */
  onFinished: (uid: string) => void;
}

export class PodWorker {
  readonly uid: string;
  private pod: V1Pod;
  private readonly deps: WorkerDeps;
  private readonly podDir: string;
  private readonly containers: PodContainers;
  private readonly sandbox: PodSandbox;
  private readonly loop: SyncLoop;
  private readonly status: PodStatusWriter;
  private prepared: PodFiles | undefined;
  private readonly startTime = new Date();
  /** Finished under its restart policy (or found finished): nothing more runs, resources are released. */
  private terminal = false;
  private removedFromApi = false;
  /** Already Succeeded/Failed when this agent met it: its status is history, not ours to rewrite. */
  private foundFinished = false;
  private terminating = false;
  private stopping = false;
  private finished = false;

  constructor(pod: V1Pod, deps: WorkerDeps) {
    this.pod = pod;
    this.deps = deps;
    this.uid = pod.metadata!.uid!;
    this.podDir = path.join(deps.config.runDir, 'pods', this.uid);
    const log = (line: string) => this.log(line);
    this.sandbox = new PodSandbox(this.uid, { ...deps, log });
    this.loop = new SyncLoop(() => this.sync(), (error) => {
      this.log(`sync failed, retrying in ${RETRY_MS / 1000} s: ${error.message}`);
      this.loop.wake(RETRY_MS);
    });
    this.status = new PodStatusWriter({
      patch: (body) => deps.api.patchStatus(this.namespace, this.podName, body),
      pod: () => this.pod,
      runtime: () => this.runtime(),
      log,
    });
    this.containers = new PodContainers(pod, {
      config: deps.config,
      podDir: this.podDir,
      sandbox: this.sandbox,
      loop: this.loop,
      status: this.status,
      log,
      podRef: () => `${this.podName}_${this.namespace}(${this.uid})`,
      launchContext: () => this.launchContext(),
      restartGraceMs: () => this.graceMs(false),
      mayStart: () => !(this.finished || this.stopping || this.terminating),
    });
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Finished before this agent started: never run it again, only clean up on deletion.
      this.terminal = true;
      this.foundFinished = true;
    }
  }

  get name(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  get namespace(): string {
    return this.pod.metadata!.namespace!;
  }

  get podName(): string {
    return this.pod.metadata!.name!;
  }

  private log(line: string): void {
    this.deps.log(`pod ${this.name}: ${line}`);
  }

  start(): void {
    this.log(`assigned to this node (uid ${this.uid})`);
    this.loop.kick();
  }

  update(pod: V1Pod): void {
    this.pod = pod;
    if (!this.foundFinished) this.status.observe(pod);
    this.loop.kick();
  }

  /** The pod vanished from the API (force delete): kill and clean up without API calls. */
  removed(): void {
    this.removedFromApi = true;
    this.loop.kick();
  }

  // ---- what comes next -------------------------------------------------------------------

  private async sync(): Promise<void> {
    if (this.finished || this.stopping) return;
    if (this.removedFromApi || this.pod.metadata?.deletionTimestamp) {
      await this.terminate();
      return;
    }
    if (this.terminal) {
      if (!this.foundFinished) this.status.publish();
      return;
    }
    if (!this.sandbox.ready) {
      try {
        await mkdir(logDir(this.podDir), { recursive: true });
        await this.sandbox.setup(this.pod);
      } catch (error) {
        this.log(`network setup failed, retrying in ${RETRY_MS / 1000} s: ${(error as Error).message}`);
        this.loop.wake(RETRY_MS);
        this.status.publish();
        return;
      }
    }
    if (!this.prepared) {
      try {
        await this.prepare();
      } catch (error) {
        const message = (error as Error).message;
        this.log(`volumes/credentials not ready, retrying in ${RETRY_MS / 1000} s: ${message}`);
        this.containers.notCreated(message);
        this.loop.wake(RETRY_MS);
        this.status.publish();
        return;
      }
    }

    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    // Init containers run one at a time, each to completion, before any other container.
    const init = this.containers.init.find((c) => !c.completed);
    if (init) {
      if (init.running) return this.status.publish();
      if (init.hasExited && policy === 'Never') return this.finish('an init container failed and restartPolicy is Never');
      await this.containers.startWhenDue(init);
      return this.status.publish();
    }
    const regular = this.containers.regular;
    for (const c of regular) if (c.needsStart(policy)) await this.containers.startWhenDue(c);
    if (regular.every((c) => c.doneUnder(policy))) return this.finish(`all containers finished and restartPolicy is ${policy}`);
    this.status.publish();
  }

  private facts(): PodFacts {
    const podIP = this.sandbox.podIP;
    return { nodeName: this.deps.config.nodeName, hostIP: this.deps.config.nodeAddress, podIP, podIPs: podIP ? [podIP] : [] };
  }

  private async prepare(): Promise<void> {
    this.prepared = await preparePodFiles({ pod: this.pod, podDir: this.podDir, facts: this.facts(), sources: this.deps.sources }, this.deps.credentials);
  }

  private launchContext(): PodLaunchContext {
    const { config, sources } = this.deps;
    const { volumes, credentials } = this.prepared!;
    const { nodeName, kubernetesServiceHost, kubernetesServicePort } = config;
    return { pod: this.pod, nodeName, kubernetesServiceHost, kubernetesServicePort, facts: this.facts(), sources, volumes, credentials, netns: this.sandbox.netns };
  }

  // ---- termination -----------------------------------------------------------------------

  private graceMs(deleting: boolean): number {
    return terminationGraceMs(this.pod, { deleting, forced: this.removedFromApi });
  }

  /** Finished under its restart policy: release network and address, keep status and logs. */
  private async finish(why: string): Promise<void> {
    this.log(`finished: ${why}`);
    this.terminal = true;
    await this.containers.stopAll(this.graceMs(false));
    await this.sandbox.release();
    this.status.publish();
  }

  private async terminate(): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    this.loop.cancelWake();
    const graceMs = this.graceMs(true);
    this.log(this.removedFromApi ? 'removed from the API: killing it' : `deletion requested: stopping (grace ${graceMs} ms)`);
    await this.containers.stopAll(graceMs);
    this.terminal = true;
    if (!this.removedFromApi && !this.foundFinished) await this.status.flush().catch(() => undefined);
    this.deps.credentials.forget(this.uid);
    await this.sandbox.release();
    await rm(this.podDir, { recursive: true, force: true });
    if (!this.removedFromApi) {
      try {
        await this.deps.api.deletePod(this.namespace, this.podName, this.uid);
      } catch (error) {
        this.log(`final delete failed (the API will retry through the next watch event): ${(error as Error).message}`);
        this.terminating = false;
        this.loop.wake(RETRY_MS);
        return;
      }
    }
    this.log(this.removedFromApi ? 'cleaned up (the pod is gone from the API)' : 'cleaned up and deleted from the API');
    this.finished = true;
    this.loop.close();
    this.status.close();
    this.deps.onFinished(this.uid);
  }

  /** Agent shutdown: kill everything and remove the pod's network; the API is left alone. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.loop.close();
    this.status.close();
    this.deps.credentials.forget(this.uid);
    await this.containers.stopAll(SHORT_GRACE_MS);
    await this.sandbox.release().catch((error: Error) => this.log(`cleanup failed: ${error.message}`));
    this.finished = true;
  }

  // ---- what the API and `kubectl logs` see -----------------------------------------------

  private runtime(): PodRuntime {
    return {
      hostIP: this.deps.config.nodeAddress,
      podIP: this.sandbox.podIP,
      startTime: this.startTime,
      sandboxReady: this.sandbox.ready,
      terminal: this.terminal,
      initContainers: this.containers.init.map((c) => c.runtime),
      containers: this.containers.regular.map((c) => c.runtime),
    };
  }

  /** Which log file `kubectl logs` means; a string is the error to return. */
  logLocation(containerName: string, previous: boolean): LogLocation | string {
    return this.containers.logLocation(this.podName, containerName, previous);
  }

  /** For tests and diagnostics: the status as it would be written now. */
  currentStatus(): object {
    return computePodStatus(this.pod, this.runtime(), new Date());
  }
}
