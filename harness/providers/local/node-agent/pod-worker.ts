// One pod's life on this node: network, credentials and volumes, init
// containers in order, containers with probes and restarts, status, and
// termination. All changes go through one serialized sync() so that the
// informer, process exits, probe results and timers never race.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { run } from '../../../../lib/exec.ts';
import { imageRepository, resolveImage, type LocalImage } from '../images.ts';
import { REPO_ROOT } from '../../../../lib/repo-root.ts';
import { RestartBackoff } from './backoff.ts';
import type { NodeAgentConfig } from './config.ts';
import { ContainerProcess, type ContainerExit, type ContainerLaunch } from './container-runner.ts';
import { kubernetesServiceEnv, resolveArgv, resolveEnv, type ConfigSources, type PodFacts } from './container-spec.ts';
import { hostPortMappings, type HostPortMapping, type HostPortRules } from './hostports.ts';
import { allocateAddress, isHostAddress, parsePodCidr } from './ipam.ts';
import type { NodeStateStore } from './node-state.ts';
import type { PodNetwork, PodNetworks } from './pod-network.ts';
import { computePodStatus, mergeConditions, type ContainerRuntime, type PodRuntime, type TerminatedState } from './pod-status.ts';
import { containerMounts, needsServiceAccountToken, prepareVolumes, type PreparedVolume } from './pod-volumes.ts';
import { ProbeRunner, runProbe, type ProbeKind, type ProbeTarget } from './probes.ts';
import type { PodCredentials, ServiceAccountCredentials } from './service-account.ts';

/** Longest grace period honoured on deletion (tests must stay fast). */
export const MAX_GRACE_SECONDS = 30;
/** Shortest grace period (the kubelet's minimum). */
export const MIN_GRACE_SECONDS = 2;
/** Grace for pods that vanished from the API (force-deleted) and on agent shutdown. */
export const SHORT_GRACE_MS = 2000;
const RETRY_MS = 5000;
/** A failed pull shows ErrImagePull this long, then ImagePullBackOff until the next attempt. */
const IMAGE_PULL_BACKOFF_AFTER_MS = 2000;
/** Pull retries: 10 s, 20 s, 40 s, 40 s, … (the kubelet caps at 300 s). */
export function imagePullRetryDelayMs(failures: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, failures - 1), 40_000);
}

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

/** Where a container stands, beyond what the status shows. */
class ContainerSlot {
  readonly spec: V1Container;
  readonly init: boolean;
  runtime: ContainerRuntime;
  process: ContainerProcess | undefined;
  readonly backoff = new RestartBackoff();
  imagePullFailures = 0;
  /** Earliest time of the next start attempt (back-off or retry). */
  nextAttemptAt = 0;
  imagePullFailedAt: number | undefined;
  probes: ProbeRunner[] = [];
  /** Number of the run the current log file holds (restartCount at its start); -1 = none yet. */
  latestRun = -1;
  /** Run number whose termination is shown as lastState (-1 = none). */
  lastTerminationRun = -1;

  constructor(spec: V1Container, init: boolean, waitingReason: string, restartCount: number) {
    this.spec = spec;
    this.init = init;
    this.runtime = {
      name: spec.name,
      image: spec.image ?? '',
      imageID: '',
      state: { kind: 'waiting', reason: waitingReason },
      restartCount,
      ready: false,
      started: false,
    };
  }

  get completed(): boolean {
    return this.runtime.state.kind === 'terminated' && this.runtime.state.exitCode === 0;
  }

  /** The container ran before (its next start is a restart). */
  get hasRun(): boolean {
    return this.latestRun >= 0;
  }
}

export interface LogLocation {
  file: string;
  /** The run is still going: a follow keeps reading until this turns false. */
  isRunning: () => boolean;
}

export class PodWorker {
  readonly uid: string;
  private pod: V1Pod;
  private readonly deps: WorkerDeps;
  private readonly podDir: string;
  private readonly slots: ContainerSlot[];
  private network: PodNetwork | undefined;
  private hostPortRules: HostPortMapping[] = [];
  private podIP: string | undefined;
  private sandboxReady = false;
  private prepared: { volumes: Map<string, PreparedVolume>; credentials: PodCredentials | undefined } | undefined;
  private readonly startTime = new Date();
  /** Finished under its restart policy (or found finished): nothing more runs, resources are released. */
  private terminal = false;
  private removedFromApi = false;
  /** Already Succeeded/Failed when this agent met it: its status is history, not ours to rewrite. */
  private foundFinished = false;
  private terminating = false;
  private stopping = false;
  private finished = false;

  private syncing = false;
  private syncAgain = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;

  private publishTimer: NodeJS.Timeout | undefined;
  private publishing = false;
  private publishAgain = false;
  private lastPublished = '';
  private lastConditions: { type: string }[] | undefined;

  constructor(pod: V1Pod, deps: WorkerDeps) {
    this.pod = pod;
    this.deps = deps;
    this.uid = pod.metadata!.uid!;
    this.podDir = path.join(deps.config.runDir, 'pods', this.uid);
    const previous = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    // A pod this node ran before (agent restart): its processes are gone, so starting again is a restart.
    const restartsSoFar = (name: string) => {
      const s = previous.find((p) => p.name === name);
      return s?.state?.running || s?.state?.terminated ? (s.restartCount ?? 0) + 1 : (s?.restartCount ?? 0);
    };
    const hasInit = (pod.spec?.initContainers ?? []).length > 0;
    this.slots = [
      ...(pod.spec?.initContainers ?? []).map((c) => new ContainerSlot(c, true, 'PodInitializing', restartsSoFar(c.name))),
      ...(pod.spec?.containers ?? []).map((c) => new ContainerSlot(c, false, hasInit ? 'PodInitializing' : 'ContainerCreating', restartsSoFar(c.name))),
    ];
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
    this.kick();
  }

  update(pod: V1Pod): void {
    this.pod = pod;
    // Someone else rewrote our part of the status (the node lifecycle controller marks pods
    // not ready while the node is unreachable): write ours again.
    if (this.lastConditions && !this.foundFinished && this.apiDisagrees(pod)) this.lastPublished = '';
    this.kick();
  }

  private apiDisagrees(pod: V1Pod): boolean {
    const api = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
    return (this.lastConditions as { type: string; status: string }[]).some((c) => api.get(c.type) !== c.status);
  }

  /** The pod vanished from the API (force delete): kill and clean up without API calls. */
  removed(): void {
    this.removedFromApi = true;
    this.kick();
  }

  // ---- sync loop -------------------------------------------------------------------------

  private kick(): void {
    if (this.finished) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    do {
      this.syncAgain = false;
      try {
        await this.sync();
      } catch (error) {
        this.log(`sync failed, retrying in ${RETRY_MS / 1000} s: ${(error as Error).message}`);
        this.wake(RETRY_MS);
      }
    } while (this.syncAgain && !this.finished);
    this.syncing = false;
  }

  /** Asks for a sync after delayMs (the earliest request wins). */
  private wake(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (at >= this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeAt = Infinity;
      this.kick();
    }, delayMs);
  }

  private async sync(): Promise<void> {
    if (this.finished || this.stopping) return;
    if (this.removedFromApi || this.pod.metadata?.deletionTimestamp) {
      await this.terminate();
      return;
    }
    if (this.terminal) {
      if (!this.foundFinished) this.publish();
      return;
    }
    if (!this.sandboxReady) {
      try {
        await this.setupSandbox();
      } catch (error) {
        this.log(`network setup failed, retrying in ${RETRY_MS / 1000} s: ${(error as Error).message}`);
        this.wake(RETRY_MS);
        this.publish();
        return;
      }
    }
    if (!this.prepared) {
      try {
        await this.prepare();
      } catch (error) {
        const message = (error as Error).message;
        this.log(`volumes/credentials not ready, retrying in ${RETRY_MS / 1000} s: ${message}`);
        for (const slot of this.slots) {
          if (slot.runtime.state.kind === 'waiting') slot.runtime.state = { kind: 'waiting', reason: slot.init || !this.hasInit ? 'ContainerCreating' : 'PodInitializing', message };
        }
        this.wake(RETRY_MS);
        this.publish();
        return;
      }
    }

    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    for (const slot of this.slots.filter((s) => s.init)) {
      if (slot.completed) continue;
      if (slot.process?.running) {
        this.publish();
        return;
      }
      if (slot.runtime.state.kind === 'terminated' || slot.runtime.lastTermination) {
        if (policy === 'Never') {
          await this.finish('an init container failed and restartPolicy is Never');
          return;
        }
      }
      await this.startWhenDue(slot);
      this.publish();
      return;
    }

    for (const slot of this.slots.filter((s) => !s.init)) {
      if (slot.process?.running) continue;
      if (!slot.hasRun || this.shouldRestart(slot, policy)) await this.startWhenDue(slot);
    }
    const allDone = this.slots.filter((s) => !s.init).every((s) => !s.process?.running && s.hasRun && !this.shouldRestart(s, policy));
    if (allDone) {
      await this.finish(`all containers finished and restartPolicy is ${policy}`);
      return;
    }
    this.publish();
  }

  private get hasInit(): boolean {
    return this.slots.some((s) => s.init);
  }

  private shouldRestart(slot: ContainerSlot, policy: string): boolean {
    const last = slot.runtime.state.kind === 'terminated' ? slot.runtime.state : slot.runtime.lastTermination;
    if (!last) return false;
    return policy === 'Always' || (policy === 'OnFailure' && last.exitCode !== 0);
  }

  // ---- sandbox, volumes, credentials -----------------------------------------------------

  private async setupSandbox(): Promise<void> {
    await mkdir(path.join(this.podDir, 'logs'), { recursive: true });
    const { config, state } = this.deps;
    if (this.pod.spec?.hostNetwork) {
      this.podIP = config.nodeAddress;
      await state.update((s) => {
        s.pods[this.uid] = { namespace: this.namespace, name: this.podName, processes: s.pods[this.uid]?.processes ?? [] };
      });
    } else {
      // Allocation and recording happen without an await in between: no two pods get one address.
      const podIP = this.previousAddress() ?? allocateAddress(config.podCidr, config.podGateway, state.addressesInUse(), state.state.lastAllocated);
      const pending = state.update((s) => {
        s.lastAllocated = podIP;
        s.pods[this.uid] = { namespace: this.namespace, name: this.podName, podIP, processes: s.pods[this.uid]?.processes ?? [] };
      });
      await pending;
      this.network = await this.deps.networks.setup(this.uid, podIP);
      this.podIP = podIP;
      this.hostPortRules = hostPortMappings(this.pod, podIP);
      await state.update((s) => {
        Object.assign(s.pods[this.uid], { netns: this.network!.netns, hostVeth: this.network!.hostVeth, hostPorts: this.hostPortRules });
      });
      if (this.hostPortRules.length > 0) await this.deps.hostPorts.add(this.hostPortRules, this.name);
      this.log(`network ready: ${podIP} in ${this.network.netns} (node side ${this.network.hostVeth})`);
    }
    this.sandboxReady = true;
  }

  /** A restarted agent gives a running pod its address back, as a kubelet keeps the sandbox. */
  private previousAddress(): string | undefined {
    const { config, state } = this.deps;
    const recorded = state.state.pods[this.uid]?.podIP;
    if (recorded) return recorded;
    const reported = this.pod.status?.podIP;
    if (!reported || reported === config.nodeAddress || state.addressesInUse().has(reported)) return undefined;
    return isHostAddress(parsePodCidr(config.podCidr), reported) && reported !== config.podGateway ? reported : undefined;
  }

  private facts(): PodFacts {
    return { nodeName: this.deps.config.nodeName, hostIP: this.deps.config.nodeAddress, podIP: this.podIP, podIPs: this.podIP ? [this.podIP] : [] };
  }

  private async prepare(): Promise<void> {
    let credentials: PodCredentials | undefined;
    if (needsServiceAccountToken(this.pod)) credentials = await this.deps.credentials.provide(this.pod, this.podDir);
    const volumes = await prepareVolumes({
      pod: this.pod,
      podDir: this.podDir,
      facts: this.facts(),
      sources: this.deps.sources,
      tokenFile: credentials ? path.join(credentials.dir, 'token') : undefined,
    });
    this.prepared = { volumes, credentials };
  }

  // ---- containers ------------------------------------------------------------------------

  private async startWhenDue(slot: ContainerSlot): Promise<void> {
    const now = Date.now();
    if (now < slot.nextAttemptAt) {
      this.showBackoff(slot, now);
      this.wake(slot.nextAttemptAt - now);
      return;
    }
    const image = resolveImage(slot.spec.image ?? '', this.deps.config.images);
    if (!image) {
      this.imagePullFailed(slot, now);
      return;
    }
    slot.runtime.imageID = `vipcheck://image/${imageRepository(slot.spec.image ?? '')}`;
    slot.imagePullFailedAt = undefined;
    let launch;
    try {
      launch = await this.launchSpec(slot, image);
    } catch (error) {
      const message = (error as Error).message;
      if (!(slot.runtime.state.kind === 'waiting' && slot.runtime.state.message === message)) this.log(`container ${slot.spec.name}: CreateContainerConfigError: ${message}`);
      slot.runtime.state = { kind: 'waiting', reason: 'CreateContainerConfigError', message };
      slot.nextAttemptAt = now + RETRY_MS;
      this.wake(RETRY_MS);
      return;
    }
    if (this.finished || this.stopping || this.terminating) return;
    this.startProcess(slot, launch);
  }

  private imagePullFailed(slot: ContainerSlot, now: number): void {
    const image = slot.spec.image ?? '';
    const message = `image "${image}" is not in the local provider's image table (harness/providers/local/images.ts or the target's images)`;
    if (slot.imagePullFailedAt === undefined) this.log(`container ${slot.spec.name}: ErrImagePull: ${message}`);
    slot.imagePullFailedAt = now;
    slot.imagePullFailures++;
    slot.runtime.state = { kind: 'waiting', reason: 'ErrImagePull', message };
    slot.nextAttemptAt = now + imagePullRetryDelayMs(slot.imagePullFailures);
    // Shortly after the failed pull, the kubelet shows the back-off.
    this.wake(IMAGE_PULL_BACKOFF_AFTER_MS);
  }

  /** Waiting in back-off: CrashLoopBackOff after a crash, ImagePullBackOff after a failed pull. */
  private showBackoff(slot: ContainerSlot, now: number): void {
    const s = slot.runtime.state;
    if (slot.imagePullFailedAt !== undefined && s.kind === 'waiting') {
      if (now - slot.imagePullFailedAt < IMAGE_PULL_BACKOFF_AFTER_MS) return this.wake(slot.imagePullFailedAt + IMAGE_PULL_BACKOFF_AFTER_MS - now);
      slot.runtime.state = { kind: 'waiting', reason: 'ImagePullBackOff', message: s.message };
    } else if (s.kind === 'terminated') {
      const seconds = Math.round((slot.nextAttemptAt - s.finishedAt.getTime()) / 1000);
      slot.runtime.lastTermination = s;
      slot.lastTerminationRun = slot.latestRun;
      slot.runtime.state = {
        kind: 'waiting',
        reason: 'CrashLoopBackOff',
        message: `back-off ${seconds}s restarting failed container=${slot.spec.name} pod=${this.podName}_${this.namespace}(${this.uid})`,
      };
      this.log(`container ${slot.spec.name}: CrashLoopBackOff, restarting in ${Math.round((slot.nextAttemptAt - now) / 1000)} s`);
    }
  }

  private async launchSpec(slot: ContainerSlot, image: LocalImage): Promise<ContainerLaunch> {
    const { config } = this.deps;
    const container = slot.spec;
    const env = await resolveEnv(this.pod, container, this.facts(), this.deps.sources, kubernetesServiceEnv(config.kubernetesServiceHost, config.kubernetesServicePort));
    const argv = resolveArgv(container, image, env);
    const mounts = containerMounts(this.pod, container, this.prepared!.volumes, this.prepared!.credentials?.dir);
    const processEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/root',
      HOSTNAME: this.hostname(),
      ...(this.prepared!.credentials ? { KUBECONFIG: this.prepared!.credentials.kubeconfig } : {}),
      ...env,
    };
    return {
      argv,
      env: processEnv,
      netns: this.network?.netns,
      mounts,
      hostname: this.hostname(),
      workingDir: container.workingDir && existsSync(container.workingDir) ? container.workingDir : undefined,
      fallbackDir: REPO_ROOT,
      logFile: this.logPath(container.name, false),
    };
  }

  private hostname(): string {
    if (this.pod.spec?.hostNetwork) return this.deps.config.nodeName;
    return (this.pod.spec?.hostname || this.podName).slice(0, 63);
  }

  private logPath(container: string, previous: boolean): string {
    return path.join(this.podDir, 'logs', `${container}${previous ? '.previous' : ''}.log`);
  }

  private startProcess(slot: ContainerSlot, launch: ContainerLaunch): void {
    const now = Date.now();
    if (slot.hasRun) {
      if (slot.runtime.state.kind === 'terminated') {
        slot.runtime.lastTermination = slot.runtime.state;
        slot.lastTerminationRun = slot.latestRun;
      }
      slot.runtime.restartCount++;
      slot.backoff.recordRestart(now);
      // The kubelet keeps the previous run's log for `kubectl logs --previous` (synchronously: the new run appends to the name next).
      const current = this.logPath(slot.spec.name, false);
      try {
        renameSync(current, this.logPath(slot.spec.name, true));
      } catch {
        // no output yet
      }
    }
    const proc = new ContainerProcess(launch);
    slot.process = proc;
    slot.latestRun = slot.runtime.restartCount;
    const containerID = `vipcheck://${proc.pid}`;
    const hasStartup = Boolean(slot.spec.startupProbe) && !slot.init;
    slot.runtime.state = { kind: 'running', startedAt: proc.startedAt, containerID };
    slot.runtime.started = !hasStartup;
    slot.runtime.ready = !slot.init && !hasStartup && !slot.spec.readinessProbe;
    this.log(`container ${slot.spec.name} started: pid ${proc.pid}, restartCount ${slot.runtime.restartCount}: ${launch.argv.join(' ')}`);
    void this.recordProcess(proc.pid, true);
    if (!slot.init) this.startProbes(slot, proc);
    void proc.exited.then((exit) => this.onExit(slot, proc, exit));
  }

  private async recordProcess(pid: number, add: boolean): Promise<void> {
    if (pid <= 0) return;
    let startTicks = 0;
    if (add) {
      try {
        startTicks = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? 0);
      } catch {
        return; // already gone
      }
    }
    await this.deps.state.update((s) => {
      const record = s.pods[this.uid];
      if (!record) return;
      record.processes = record.processes.filter((p) => p.pid !== pid);
      if (add) record.processes.push({ pid, startTicks });
    }).catch(() => undefined);
  }

  private onExit(slot: ContainerSlot, proc: ContainerProcess, exit: ContainerExit): void {
    for (const probe of slot.probes) probe.stop();
    slot.probes = [];
    if (slot.process === proc) slot.process = undefined;
    void this.recordProcess(proc.pid, false);
    const terminated: TerminatedState = {
      kind: 'terminated',
      exitCode: exit.exitCode,
      ...(exit.signal ? { signal: exit.signal } : {}),
      reason: exit.exitCode === 0 ? 'Completed' : 'Error',
      startedAt: proc.startedAt,
      finishedAt: exit.finishedAt,
      containerID: `vipcheck://${proc.pid}`,
    };
    slot.runtime.state = terminated;
    slot.runtime.ready = slot.init && exit.exitCode === 0;
    slot.runtime.started = false;
    slot.nextAttemptAt = slot.backoff.restartAt(exit.finishedAt.getTime());
    this.log(`container ${slot.spec.name} exited: code ${exit.exitCode}${exit.signal ? ` (signal ${exit.signal})` : ''}`);
    this.kick();
  }

  private probeTarget(slot: ContainerSlot, proc: ContainerProcess): ProbeTarget {
    return {
      host: this.podIP ?? this.deps.config.nodeAddress,
      ports: slot.spec.ports ?? [],
      exec: async (argv, timeoutMs) => {
        const image = resolveImage(slot.spec.image ?? '', this.deps.config.images);
        const command = argv.length > 0 && image?.files?.[argv[0]] ? [image.files[argv[0]], ...argv.slice(1)] : argv;
        // Inside the container's own mount and network namespaces, like `kubectl exec`.
        const result = await run(['nsenter', '-t', String(proc.pid), '-m', '-n', '-u', '--', ...command], { reject: false, timeoutMs, env: { PATH: process.env.PATH ?? '' } });
        return result.exitCode;
      },
    };
  }

  private startProbes(slot: ContainerSlot, proc: ContainerProcess): void {
    const target = this.probeTarget(slot, proc);
    const version = this.deps.config.kubernetesVersion;
    const make = (kind: ProbeKind, onChange: (ok: boolean, message?: string) => void) => {
      const probe = kind === 'readiness' ? slot.spec.readinessProbe : kind === 'liveness' ? slot.spec.livenessProbe : slot.spec.startupProbe;
      if (!probe) return undefined;
      const runner = new ProbeRunner(kind, probe, (timeoutMs) => runProbe(probe, target, timeoutMs, version), (result, outcome) => {
        if (slot.process !== proc) return;
        onChange(result === 'success', outcome.message);
      });
      slot.probes.push(runner);
      return runner;
    };
    const readiness = () => make('readiness', (ok, message) => {
      slot.runtime.ready = ok;
      this.log(`container ${slot.spec.name}: readiness ${ok ? 'succeeded' : `failed: ${message}`}`);
      this.publish();
    })?.start();
    const liveness = () => make('liveness', (ok, message) => {
      if (ok) return;
      this.log(`container ${slot.spec.name} failed liveness probe, will be restarted: ${message}`);
      void proc.stop(this.graceMs(false));
    })?.start();
    const startup = make('startup', (ok, message) => {
      if (!ok) {
        this.log(`container ${slot.spec.name} failed startup probe, will be restarted: ${message}`);
        void proc.stop(this.graceMs(false));
        return;
      }
      startup?.stop();
      slot.runtime.started = true;
      slot.runtime.ready = !slot.spec.readinessProbe;
      this.log(`container ${slot.spec.name}: startup probe succeeded`);
      readiness();
      liveness();
      this.publish();
    });
    if (startup) startup.start();
    else {
      readiness();
      liveness();
    }
  }

  // ---- termination -----------------------------------------------------------------------

  private graceMs(deleting: boolean): number {
    if (this.removedFromApi) return SHORT_GRACE_MS;
    const fromDeletion = deleting ? this.pod.metadata?.deletionGracePeriodSeconds : undefined;
    const seconds = fromDeletion ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    // Like the kubelet, never less than 2 s: a program gets a chance to handle SIGTERM.
    return Math.min(Math.max(seconds, MIN_GRACE_SECONDS), MAX_GRACE_SECONDS) * 1000;
  }

  private async stopContainers(graceMs: number): Promise<void> {
    for (const slot of this.slots) {
      for (const probe of slot.probes) probe.stop();
      slot.probes = [];
    }
    const running = this.slots.filter((s) => s.process?.running).map((s) => s.process!);
    if (running.length === 0) return;
    this.log(`stopping ${running.length} container(s), grace ${graceMs} ms`);
    await Promise.all(running.map((p) => p.stop(graceMs)));
    // Exit handlers run from the exited promise; let them record the terminations.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Finished under its restart policy: release network and address, keep status and logs. */
  private async finish(why: string): Promise<void> {
    this.log(`finished: ${why}`);
    this.terminal = true;
    await this.stopContainers(this.graceMs(false));
    await this.releaseNetwork();
    this.publish();
  }

  private async releaseNetwork(): Promise<void> {
    if (this.hostPortRules.length > 0) await this.deps.hostPorts.remove(this.hostPortRules, this.name);
    this.hostPortRules = [];
    if (this.network) await this.deps.networks.teardown(this.network);
    this.network = undefined;
    this.sandboxReady = false;
    await this.deps.state.update((s) => {
      delete s.pods[this.uid];
    });
  }

  private async terminate(): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    clearTimeout(this.wakeTimer);
    const graceMs = this.graceMs(true);
    this.log(this.removedFromApi ? 'removed from the API: killing it' : `deletion requested: stopping (grace ${graceMs} ms)`);
    await this.stopContainers(graceMs);
    this.terminal = true;
    if (!this.removedFromApi && !this.foundFinished) await this.flushStatus().catch(() => undefined);
    this.deps.credentials.forget(this.uid);
    await this.releaseNetwork();
    await rm(this.podDir, { recursive: true, force: true });
    if (!this.removedFromApi) {
      try {
        await this.deps.api.deletePod(this.namespace, this.podName, this.uid);
      } catch (error) {
        this.log(`final delete failed (the API will retry through the next watch event): ${(error as Error).message}`);
        this.terminating = false;
        this.wake(RETRY_MS);
        return;
      }
    }
    this.log(this.removedFromApi ? 'cleaned up (the pod is gone from the API)' : 'cleaned up and deleted from the API');
    this.finishWorker();
  }

  private finishWorker(): void {
    this.finished = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.publishTimer);
    this.deps.onFinished(this.uid);
  }

  /** Agent shutdown: kill everything and remove the pod's network; the API is left alone. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.publishTimer);
    this.deps.credentials.forget(this.uid);
    await this.stopContainers(SHORT_GRACE_MS);
    await this.releaseNetwork().catch((error: Error) => this.log(`cleanup failed: ${error.message}`));
    this.finished = true;
  }

  // ---- status ----------------------------------------------------------------------------

  private runtime(): PodRuntime {
    return {
      hostIP: this.deps.config.nodeAddress,
      podIP: this.podIP,
      startTime: this.startTime,
      sandboxReady: this.sandboxReady,
      terminal: this.terminal,
      initContainers: this.slots.filter((s) => s.init).map((s) => s.runtime),
      containers: this.slots.filter((s) => !s.init).map((s) => s.runtime),
    };
  }

  /** Coalesces status writes: many changes within 50 ms make one patch. */
  private publish(): void {
    if (this.finished || this.stopping || this.publishTimer) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      void this.flushStatus().catch((error: Error) => {
        this.log(`status update failed, retrying in 1 s: ${error.message}`);
        setTimeout(() => this.publish(), 1000).unref();
      });
    }, 50);
  }

  private async flushStatus(): Promise<void> {
    if (this.publishing) {
      this.publishAgain = true;
      return;
    }
    this.publishing = true;
    try {
      do {
        this.publishAgain = false;
        const conditionsBefore = mergeConditions(this.pod.status?.conditions as { type: string }[] | undefined, (this.lastConditions ?? []) as never[]);
        const basis: V1Pod = { ...this.pod, status: { ...this.pod.status, conditions: conditionsBefore as never } };
        const status = computePodStatus(basis, this.runtime(), new Date());
        const json = JSON.stringify(status);
        if (json === this.lastPublished) continue;
        const conditions = mergeConditions(this.pod.status?.conditions as { type: string }[] | undefined, status.conditions);
        await this.deps.api.patchStatus(this.namespace, this.podName, { status: { ...status, conditions } });
        this.lastPublished = json;
        this.lastConditions = status.conditions;
      } while (this.publishAgain);
    } finally {
      this.publishing = false;
    }
  }

  // ---- logs ------------------------------------------------------------------------------

  /** Which log file `kubectl logs` means, by the kubelet's rules; a string is the error to return. */
  logLocation(containerName: string, previous: boolean): LogLocation | string {
    const slot = this.slots.find((s) => s.spec.name === containerName);
    if (!slot) return `container "${containerName}" not found in pod "${this.podName}"`;
    const state = slot.runtime.state;
    const runFile = (run: number): LogLocation | undefined => {
      if (run >= 0 && run === slot.latestRun) {
        return { file: this.logPath(containerName, false), isRunning: () => slot.latestRun === run && slot.process?.running === true };
      }
      if (run >= 0 && run === slot.latestRun - 1) return { file: this.logPath(containerName, true), isRunning: () => false };
      return undefined;
    };
    if (previous) {
      const found = slot.runtime.lastTermination ? runFile(slot.lastTerminationRun) : undefined;
      return found ?? `previous terminated container "${containerName}" in pod "${this.podName}" not found`;
    }
    if (state.kind === 'running' || state.kind === 'terminated') return runFile(slot.latestRun)!;
    if (slot.runtime.lastTermination) {
      return runFile(slot.lastTerminationRun) ?? `container "${containerName}" in pod "${this.podName}" is terminated`;
    }
    if (state.reason === 'ErrImagePull') return `container "${containerName}" in pod "${this.podName}" is waiting to start: image can't be pulled`;
    if (state.reason === 'ImagePullBackOff') return `container "${containerName}" in pod "${this.podName}" is waiting to start: trying and failing to pull image`;
    return `container "${containerName}" in pod "${this.podName}" is waiting to start: ${state.reason}`;
  }

  /** For tests and diagnostics: the status as it would be written now. */
  currentStatus(): object {
    return computePodStatus(this.pod, this.runtime(), new Date());
  }
}

