// One container's way through waiting → running → terminated → back-off →
// restart, the kubelet's way, and what the restart policy makes of it.
// No I/O and no timers: the pod worker starts processes, writes logs and
// wakes itself; this records what happened and says what comes next.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { IMAGE_PULL_BACKOFF_AFTER_MS, imagePullRetryDelayMs, RestartBackoff } from './backoff.ts';
import type { ContainerExit } from './container-runner.ts';
import type { ContainerRuntime, TerminatedState } from './pod-status.ts';
import type { ContainerProbes } from './probes.ts';

/** What the lifecycle needs of a started process (a ContainerProcess, or a stand-in in tests). */
export interface ContainerRun {
  readonly pid: number;
  readonly startedAt: Date;
  readonly running: boolean;
  stop(graceMs: number): Promise<ContainerExit>;
}

/** What showBackoff changed: a crash loop to log, or when ErrImagePull turns into ImagePullBackOff. */
export interface BackoffShown {
  crashLoop: boolean;
  /** ErrImagePull still shows: look again after this long. */
  recheckInMs?: number;
}

/** Restarts so far of a container this node ran before (agent restart): its process is gone, so starting again is a restart. */
export function restartsSoFar(pod: V1Pod, name: string): number {
  const previous = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const s = previous.find((p) => p.name === name);
  return s?.state?.running || s?.state?.terminated ? (s.restartCount ?? 0) + 1 : (s?.restartCount ?? 0);
}

export class ContainerLifecycle {
  readonly spec: V1Container;
  readonly init: boolean;
  runtime: ContainerRuntime;
  process: ContainerRun | undefined;
  probes: ContainerProbes | undefined;
  readonly backoff = new RestartBackoff();
  imagePullFailures = 0;
  /** Earliest time of the next start attempt (back-off or retry). */
  nextAttemptAt = 0;
  imagePullFailedAt: number | undefined;
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

  /** Init containers first, then the regular ones, each waiting as the kubelet shows a new pod. */
  static forPod(pod: V1Pod): ContainerLifecycle[] {
    const hasInit = (pod.spec?.initContainers ?? []).length > 0;
    return [
      ...(pod.spec?.initContainers ?? []).map((c) => new ContainerLifecycle(c, true, 'PodInitializing', restartsSoFar(pod, c.name))),
      ...(pod.spec?.containers ?? []).map((c) => new ContainerLifecycle(c, false, hasInit ? 'PodInitializing' : 'ContainerCreating', restartsSoFar(pod, c.name))),
    ];
  }

  get name(): string {
    return this.spec.name;
  }

  get completed(): boolean {
    return this.runtime.state.kind === 'terminated' && this.runtime.state.exitCode === 0;
  }

  /** The container ran before (its next start is a restart). */
  get hasRun(): boolean {
    return this.latestRun >= 0;
  }

  get running(): boolean {
    return this.process?.running === true;
  }

  /** It exited at least once (now terminated, or waiting in back-off after an exit). */
  get hasExited(): boolean {
    return this.runtime.state.kind === 'terminated' || this.runtime.lastTermination !== undefined;
  }

  shouldRestart(policy: string): boolean {
    const last = this.runtime.state.kind === 'terminated' ? this.runtime.state : this.runtime.lastTermination;
    if (!last) return false;
    return policy === 'Always' || (policy === 'OnFailure' && last.exitCode !== 0);
  }

  /** Not running and due to (re)start under the policy. */
  needsStart(policy: string): boolean {
    return !this.running && (!this.hasRun || this.shouldRestart(policy));
  }

  /** Ran, stopped, and the policy does not start it again. */
  doneUnder(policy: string): boolean {
    return !this.running && this.hasRun && !this.shouldRestart(policy);
  }

  /** Volumes or credentials are not ready: a waiting container says why. */
  notCreated(message: string, podHasInit: boolean): void {
    if (this.runtime.state.kind !== 'waiting') return;
    this.runtime.state = { kind: 'waiting', reason: this.init || !podHasInit ? 'ContainerCreating' : 'PodInitializing', message };
  }

  /** The image is not in the table; returns true for the first failure in a row (worth a log line). */
  pullFailed(now: number, message: string): boolean {
    const first = this.imagePullFailedAt === undefined;
    this.imagePullFailedAt = now;
    this.imagePullFailures++;
    this.runtime.state = { kind: 'waiting', reason: 'ErrImagePull', message };
    this.nextAttemptAt = now + imagePullRetryDelayMs(this.imagePullFailures);
    return first;
  }

  imageResolved(imageID: string): void {
    this.runtime.imageID = imageID;
    this.imagePullFailedAt = undefined;
  }

  /** Env, argv or mounts cannot be built; returns true when the message is new (worth a log line). */
  configFailed(message: string, retryAt: number): boolean {
    const state = this.runtime.state;
    const isNew = !(state.kind === 'waiting' && state.message === message);
    this.runtime.state = { kind: 'waiting', reason: 'CreateContainerConfigError', message };
    this.nextAttemptAt = retryAt;
    return isNew;
  }

  /** Waiting before the next attempt: CrashLoopBackOff after a crash, ImagePullBackOff shortly after a failed pull. */
  showBackoff(now: number, podRef: string): BackoffShown {
    const s = this.runtime.state;
    if (this.imagePullFailedAt !== undefined && s.kind === 'waiting') {
      if (now - this.imagePullFailedAt < IMAGE_PULL_BACKOFF_AFTER_MS) return { crashLoop: false, recheckInMs: this.imagePullFailedAt + IMAGE_PULL_BACKOFF_AFTER_MS - now };
      this.runtime.state = { kind: 'waiting', reason: 'ImagePullBackOff', message: s.message };
    } else if (s.kind === 'terminated') {
      const seconds = Math.round((this.nextAttemptAt - s.finishedAt.getTime()) / 1000);
      this.keepLastTermination();
      this.runtime.state = { kind: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${seconds}s restarting failed container=${this.name} pod=${podRef}` };
      return { crashLoop: true };
    }
    return { crashLoop: false };
  }

  /** A new run is about to start; returns true when it is a restart (the previous run's log is to be kept). */
  beginRun(now: number): boolean {
    if (!this.hasRun) return false;
    if (this.runtime.state.kind === 'terminated') this.keepLastTermination();
    this.runtime.restartCount++;
    this.backoff.recordRestart(now);
    return true;
  }

  /** The run's process started: running, and started/ready unless a probe must say so first. */
  started(proc: ContainerRun): void {
    this.process = proc;
    this.latestRun = this.runtime.restartCount;
    const hasStartup = Boolean(this.spec.startupProbe) && !this.init;
    this.runtime.state = { kind: 'running', startedAt: proc.startedAt, containerID: containerId(proc) };
    this.runtime.started = !hasStartup;
    this.runtime.ready = !this.init && !hasStartup && !this.spec.readinessProbe;
  }

  /** The startup probe succeeded: started, and ready unless a readiness probe must say so. */
  startupSucceeded(): void {
    this.runtime.started = true;
    this.runtime.ready = !this.spec.readinessProbe;
  }

  /** The run's process exited: terminated, and the next start waits out the back-off. */
  exited(proc: ContainerRun, exit: ContainerExit): void {
    this.stopProbes();
    if (this.process === proc) this.process = undefined;
    const terminated: TerminatedState = {
      kind: 'terminated',
      exitCode: exit.exitCode,
      ...(exit.signal ? { signal: exit.signal } : {}),
      reason: exit.exitCode === 0 ? 'Completed' : 'Error',
      startedAt: proc.startedAt,
      finishedAt: exit.finishedAt,
      containerID: containerId(proc),
    };
    this.runtime.state = terminated;
    this.runtime.ready = this.init && exit.exitCode === 0;
    this.runtime.started = false;
    this.nextAttemptAt = this.backoff.restartAt(exit.finishedAt.getTime());
  }

  stopProbes(): void {
    this.probes?.stop();
    this.probes = undefined;
  }

  /** The termination shown as lastState, and which run's log holds it. */
  private keepLastTermination(): void {
    if (this.runtime.state.kind !== 'terminated') return;
    this.runtime.lastTermination = this.runtime.state;
    this.lastTerminationRun = this.latestRun;
  }
}

function containerId(proc: ContainerRun): string {
  return `vipcheck://${proc.pid}`;
}
