// A pod's containers as processes: starting a run when it is due (image,
// launch spec, process, probes), recording its exit, and stopping them all.
// Which container runs when is the pod worker's decision; what each one
// goes through is container-lifecycle.ts's record.
import type { V1Pod } from '@kubernetes/client-node';
import { imageRepository, resolveImage } from '../images.ts';
import { IMAGE_PULL_BACKOFF_AFTER_MS } from './backoff.ts';
import type { NodeAgentConfig } from './config.ts';
import { containerLaunch, type PodLaunchContext } from './container-launch.ts';
import { ContainerLifecycle } from './container-lifecycle.ts';
import { containerLogPath, keepPreviousLog, logLocation, type LogLocation } from './container-log-files.ts';
import { ContainerProcess, execInContainer, type ContainerExit, type ContainerLaunch } from './container-runner.ts';
import { imageCommand } from './container-spec.ts';
import type { PodSandbox } from './pod-sandbox.ts';
import type { PodStatusWriter } from './pod-status-writer.ts';
import { ContainerProbes, runProbe, type ProbeTarget } from './probes.ts';
import { RETRY_MS, type SyncLoop } from './sync-loop.ts';

export interface PodContainersDeps {
  config: Pick<NodeAgentConfig, 'images' | 'nodeAddress' | 'kubernetesVersion'>;
  podDir: string;
  sandbox: PodSandbox;
  loop: SyncLoop;
  status: PodStatusWriter;
  log: (line: string) => void;
  /** name_namespace(uid), as the kubelet names a pod in back-off messages. */
  podRef: () => string;
  launchContext: () => PodLaunchContext;
  /** Grace for a container its probes found failing. */
  restartGraceMs: () => number;
  /** False once the pod is torn down: a launch that finished building meanwhile is dropped. */
  mayStart: () => boolean;
}

export class PodContainers {
  readonly all: ContainerLifecycle[];
  private readonly deps: PodContainersDeps;

  constructor(pod: V1Pod, deps: PodContainersDeps) {
    this.all = ContainerLifecycle.forPod(pod);
    this.deps = deps;
  }

  get init(): ContainerLifecycle[] {
    return this.all.filter((c) => c.init);
  }

  get regular(): ContainerLifecycle[] {
    return this.all.filter((c) => !c.init);
  }

  /** Volumes or credentials are not ready: waiting containers say why. */
  notCreated(message: string): void {
    const hasInit = this.init.length > 0;
    for (const c of this.all) c.notCreated(message, hasInit);
  }

  /** Starts the container unless it waits out a back-off, its image is missing or its config cannot be built. */
  async startWhenDue(c: ContainerLifecycle): Promise<void> {
    const { loop, log } = this.deps;
    const now = Date.now();
    if (now < c.nextAttemptAt) {
      const shown = c.showBackoff(now, this.deps.podRef());
      if (shown.crashLoop) log(`container ${c.name}: CrashLoopBackOff, restarting in ${Math.round((c.nextAttemptAt - now) / 1000)} s`);
      if (shown.recheckInMs !== undefined) loop.wake(shown.recheckInMs);
      loop.wake(c.nextAttemptAt - now);
      return;
    }
    const image = resolveImage(c.spec.image ?? '', this.deps.config.images);
    if (!image) {
      const message = `image "${c.spec.image ?? ''}" is not in the local provider's image table (harness/providers/local/images.ts or the target's images)`;
      if (c.pullFailed(now, message)) log(`container ${c.name}: ErrImagePull: ${message}`);
      // Shortly after the failed pull, the kubelet shows the back-off.
      loop.wake(IMAGE_PULL_BACKOFF_AFTER_MS);
      return;
    }
    c.imageResolved(`vipcheck://image/${imageRepository(c.spec.image ?? '')}`);
    let launch: ContainerLaunch;
    try {
      launch = await containerLaunch(c.spec, image, this.deps.launchContext(), containerLogPath(this.deps.podDir, c.name, false));
    } catch (error) {
      const message = (error as Error).message;
      if (c.configFailed(message, now + RETRY_MS)) log(`container ${c.name}: CreateContainerConfigError: ${message}`);
      loop.wake(RETRY_MS);
      return;
    }
    if (!this.deps.mayStart()) return;
    this.startProcess(c, launch);
  }

  private startProcess(c: ContainerLifecycle, launch: ContainerLaunch): void {
    if (c.beginRun(Date.now())) keepPreviousLog(this.deps.podDir, c.name);
    const proc = new ContainerProcess(launch);
    c.started(proc);
    this.deps.log(`container ${c.name} started: pid ${proc.pid}, restartCount ${c.runtime.restartCount}: ${launch.argv.join(' ')}`);
    void this.deps.sandbox.recordProcess(proc.pid, true);
    if (!c.init) this.startProbes(c, proc);
    void proc.exited.then((exit) => this.onExit(c, proc, exit));
  }

  private onExit(c: ContainerLifecycle, proc: ContainerProcess, exit: ContainerExit): void {
    c.exited(proc, exit);
    void this.deps.sandbox.recordProcess(proc.pid, false);
    this.deps.log(`container ${c.name} exited: code ${exit.exitCode}${exit.signal ? ` (signal ${exit.signal})` : ''}`);
    this.deps.loop.kick();
  }

  private startProbes(c: ContainerLifecycle, proc: ContainerProcess): void {
    const { config, log, status } = this.deps;
    const target: ProbeTarget = {
      host: this.deps.sandbox.podIP ?? config.nodeAddress,
      ports: c.spec.ports ?? [],
      exec: (argv, timeoutMs) => execInContainer(proc.pid, imageCommand(resolveImage(c.spec.image ?? '', config.images), argv), timeoutMs),
    };
    c.probes = new ContainerProbes(c.spec, (probe) => (timeoutMs) => runProbe(probe, target, timeoutMs, config.kubernetesVersion), {
      current: () => c.process === proc,
      readiness: (ok, message) => {
        c.runtime.ready = ok;
        log(`container ${c.name}: readiness ${ok ? 'succeeded' : `failed: ${message}`}`);
        status.publish();
      },
      started: () => {
        c.startupSucceeded();
        log(`container ${c.name}: startup probe succeeded`);
        status.publish();
      },
      failed: (kind, message) => {
        log(`container ${c.name} failed ${kind} probe, will be restarted: ${message}`);
        void proc.stop(this.deps.restartGraceMs());
      },
    });
    c.probes.start();
  }

  /** Stops every probe and running container (SIGTERM, SIGKILL after graceMs) and waits for their exits to be recorded. */
  async stopAll(graceMs: number): Promise<void> {
    for (const c of this.all) c.stopProbes();
    const running = this.all.filter((c) => c.running).map((c) => c.process!);
    if (running.length === 0) return;
    this.deps.log(`stopping ${running.length} container(s), grace ${graceMs} ms`);
    await Promise.all(running.map((p) => p.stop(graceMs)));
    // Exit handlers run from the exited promise; let them record the terminations.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Which log file `kubectl logs` means; a string is the error to return. */
  logLocation(podName: string, containerName: string, previous: boolean): LogLocation | string {
    const c = this.all.find((x) => x.name === containerName);
    if (!c) return `container "${containerName}" not found in pod "${podName}"`;
    return logLocation(this.deps.podDir, podName, c, previous);
  }
}
