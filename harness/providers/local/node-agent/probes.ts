// Container probes, run from the node namespace against the pod's address.
// ProbeTracker (pure) turns individual outcomes into a result with the
// kubelet's thresholds; runProbe performs one httpGet / tcpSocket / exec
// check; ProbeRunner owns the timers of one probe of one container;
// ContainerProbes runs a container's probes in the kubelet's order.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { V1Container, V1ContainerPort, V1Probe } from '@kubernetes/client-node';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export interface ProbeSettings {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The probe's timing with Kubernetes defaults (period 10 s, timeout 1 s, thresholds 1/3). */
export function probeSettings(probe: V1Probe, kind: ProbeKind): ProbeSettings {
  return {
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, probe.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, probe.timeoutSeconds ?? 1) * 1000,
    // Liveness and startup probes must use 1 (the API enforces it); default 1 for all.
    successThreshold: kind === 'readiness' ? Math.max(1, probe.successThreshold ?? 1) : 1,
    failureThreshold: Math.max(1, probe.failureThreshold ?? 3),
  };
}

export type ProbeResult = 'success' | 'failure';

/**
 * Applies the thresholds: the result flips only after `successThreshold`
 * consecutive successes or `failureThreshold` consecutive failures.
 */
export class ProbeTracker {
  private readonly settings: ProbeSettings;
  private current: ProbeResult | undefined;
  private lastOutcome: ProbeResult | undefined;
  private run = 0;

  /**
   * Readiness starts as failure (not ready until proven), liveness as success,
   * startup as unknown (undefined): only the threshold decides either way.
   */
  constructor(settings: ProbeSettings, initial: ProbeResult | undefined) {
    this.settings = settings;
    this.current = initial;
  }

  get result(): ProbeResult | undefined {
    return this.current;
  }

  /** Records one outcome; returns true when the result changed. */
  record(ok: boolean): boolean {
    const outcome: ProbeResult = ok ? 'success' : 'failure';
    this.run = outcome === this.lastOutcome ? this.run + 1 : 1;
    this.lastOutcome = outcome;
    const needed = ok ? this.settings.successThreshold : this.settings.failureThreshold;
    if (this.run < needed || outcome === this.current) return false;
    this.current = outcome;
    return true;
  }
}

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed (kept for logs). */
  message?: string;
}

export interface ProbeTarget {
  /** Address probes connect to (the pod IP, or the node address for hostNetwork pods). */
  host: string;
  ports: V1ContainerPort[];
  /** Runs an exec probe inside the container; resolves with the exit code. */
  exec(argv: string[], timeoutMs: number): Promise<number>;
}

export function resolveProbePort(port: number | string | undefined, ports: V1ContainerPort[]): number {
  if (typeof port === 'number') return port;
  if (port === undefined || port === '') throw new Error('probe has no port');
  if (/^\d+$/.test(port)) return Number(port);
  const named = ports.find((p) => p.name === port);
  if (!named) throw new Error(`probe names port "${port}", which is not a port of the container`);
  return named.containerPort;
}

/** Performs one check, bounded by timeoutMs. */
export async function runProbe(probe: V1Probe, target: ProbeTarget, timeoutMs: number, kubernetesVersion = 'v1.37.0'): Promise<ProbeOutcome> {
  try {
    if (probe.httpGet) {
      const get = probe.httpGet;
      const port = resolveProbePort(get.port as number | string, target.ports);
      const headers: Record<string, string> = { 'user-agent': `kube-probe/${kubernetesVersion.replace(/^v(\d+\.\d+).*/, '$1')}`, accept: '*/*' };
      for (const h of get.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
      const status = await httpStatus(get.scheme === 'HTTPS' ? 'https' : 'http', get.host || target.host, port, get.path || '/', headers, timeoutMs);
      return status >= 200 && status < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${status}` };
    }
    if (probe.tcpSocket) {
      const port = resolveProbePort(probe.tcpSocket.port as number | string, target.ports);
      await tcpConnect(probe.tcpSocket.host || target.host, port, timeoutMs);
      return { ok: true };
    }
    if (probe.exec) {
      const code = await target.exec(probe.exec.command ?? [], timeoutMs);
      return code === 0 ? { ok: true } : { ok: false, message: `command exited with ${code}` };
    }
    if (probe.grpc) return { ok: false, message: 'gRPC probes are not supported by the local node agent' };
    return { ok: false, message: 'probe has no handler (httpGet, tcpSocket or exec)' };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function httpStatus(scheme: 'http' | 'https', host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = { host, port, path, headers, method: 'GET', agent: false as const, rejectUnauthorized: false };
    const req = (scheme === 'https' ? https : http).request(options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`probe timed out after ${timeoutMs} ms (${scheme}://${host}:${port}${path})`)));
    req.on('error', reject);
    req.end();
  });
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`tcp probe to ${host}:${port} timed out after ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/**
 * Runs one probe of one container on its schedule and reports result
 * changes. `check` performs a single attempt.
 */
export class ProbeRunner {
  readonly kind: ProbeKind;
  readonly settings: ProbeSettings;
  private readonly tracker: ProbeTracker;
  private readonly check: (timeoutMs: number) => Promise<ProbeOutcome>;
  private readonly onChange: (result: ProbeResult, outcome: ProbeOutcome) => void;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    kind: ProbeKind,
    probe: V1Probe,
    check: (timeoutMs: number) => Promise<ProbeOutcome>,
    onChange: (result: ProbeResult, outcome: ProbeOutcome) => void,
  ) {
    this.kind = kind;
    this.settings = probeSettings(probe, kind);
    this.tracker = new ProbeTracker(this.settings, kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : undefined);
    this.check = check;
    this.onChange = onChange;
  }

  get result(): ProbeResult | undefined {
    return this.tracker.result;
  }

  start(): void {
    this.schedule(this.settings.initialDelayMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    const outcome = await this.check(this.settings.timeoutMs);
    if (this.stopped) return;
    if (this.tracker.record(outcome.ok)) this.onChange(this.tracker.result!, outcome);
    this.schedule(Math.max(0, this.settings.periodMs - (Date.now() - started)));
  }
}

/** What a container's probe results mean to its pod worker. */
export interface ContainerProbeEvents {
  /** The results still matter: the run the probes watch is the container's current one. */
  current(): boolean;
  readiness(ok: boolean, message: string | undefined): void;
  /** The startup probe succeeded: the container counts as started. */
  started(): void;
  /** A liveness or startup probe failed: the container is to be restarted. */
  failed(kind: 'liveness' | 'startup', message: string | undefined): void;
}

/**
 * The probes of one run of one container: the startup probe first, and only
 * once it succeeded (or when there is none) readiness and liveness.
 */
export class ContainerProbes {
  private readonly container: V1Container;
  private readonly check: (probe: V1Probe) => (timeoutMs: number) => Promise<ProbeOutcome>;
  private readonly events: ContainerProbeEvents;
  private runners: ProbeRunner[] = [];

  constructor(container: V1Container, check: (probe: V1Probe) => (timeoutMs: number) => Promise<ProbeOutcome>, events: ContainerProbeEvents) {
    this.container = container;
    this.check = check;
    this.events = events;
  }

  start(): void {
    const startup = this.runner('startup', this.container.startupProbe, (ok, message) => {
      if (!ok) return this.events.failed('startup', message);
      startup?.stop();
      this.events.started();
      this.startRunning();
    });
    if (startup) startup.start();
    else this.startRunning();
  }

  stop(): void {
    for (const runner of this.runners) runner.stop();
    this.runners = [];
  }

  private startRunning(): void {
    this.runner('readiness', this.container.readinessProbe, (ok, message) => this.events.readiness(ok, message))?.start();
    this.runner('liveness', this.container.livenessProbe, (ok, message) => {
      if (!ok) this.events.failed('liveness', message);
    })?.start();
  }

  private runner(kind: ProbeKind, probe: V1Probe | undefined, onChange: (ok: boolean, message: string | undefined) => void): ProbeRunner | undefined {
    if (!probe) return undefined;
    const runner = new ProbeRunner(kind, probe, this.check(probe), (result, outcome) => {
      if (!this.events.current()) return;
      onChange(result === 'success', outcome.message);
    });
    this.runners.push(runner);
    return runner;
  }
}
