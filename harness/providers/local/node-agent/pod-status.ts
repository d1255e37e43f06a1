// The Pod status the agent reports, computed from what it knows about the
// pod's processes. Pure: same runtime state and clock → same status. The
// phase and condition rules follow the kubelet's (getPhase and
// status/generate.go), for pods without sidecar (restartable init) containers.
import type { V1Pod } from '@kubernetes/client-node';

export interface WaitingState {
  kind: 'waiting';
  reason: string;
  message?: string;
}
export interface RunningState {
  kind: 'running';
  startedAt: Date;
  containerID: string;
}
export interface TerminatedState {
  kind: 'terminated';
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt?: Date;
  finishedAt: Date;
  containerID?: string;
}
export type ContainerState = WaitingState | RunningState | TerminatedState;

/** One container as the agent knows it. */
export interface ContainerRuntime {
  name: string;
  image: string;
  /** Known once the image resolved through the image table. */
  imageID: string;
  state: ContainerState;
  lastTermination?: TerminatedState;
  restartCount: number;
  ready: boolean;
  started: boolean;
}

export interface PodRuntime {
  hostIP: string;
  podIP?: string;
  startTime?: Date;
  /** The pod's network (or the node's, for hostNetwork) is in place. */
  sandboxReady: boolean;
  /** The pod will run nothing more: deleted, or finished under its restart policy. */
  terminal: boolean;
  initContainers: ContainerRuntime[];
  containers: ContainerRuntime[];
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** The JSON the agent writes to the status subresource (times are RFC 3339 strings). */
export interface PodStatusJson {
  observedGeneration?: number;
  phase: PodPhase;
  conditions: ConditionJson[];
  hostIP: string;
  hostIPs: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  initContainerStatuses: ContainerStatusJson[];
  containerStatuses: ContainerStatusJson[];
}

export interface ConditionJson {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface ContainerStatusJson {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: Record<string, unknown>;
  lastState: Record<string, unknown>;
}

/** Kubernetes times have second precision; writing less churn-free status. */
export function apiTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

function stateJson(state: ContainerState | undefined): Record<string, unknown> {
  if (!state) return {};
  switch (state.kind) {
    case 'waiting':
      return { waiting: { reason: state.reason, ...(state.message ? { message: state.message } : {}) } };
    case 'running':
      return { running: { startedAt: apiTime(state.startedAt) } };
    case 'terminated':
      return {
        terminated: {
          exitCode: state.exitCode,
          ...(state.signal ? { signal: state.signal } : {}),
          reason: state.reason,
          ...(state.message ? { message: state.message } : {}),
          ...(state.startedAt ? { startedAt: apiTime(state.startedAt) } : {}),
          finishedAt: apiTime(state.finishedAt),
          ...(state.containerID ? { containerID: state.containerID } : {}),
        },
      };
  }
}

export function containerStatusJson(c: ContainerRuntime): ContainerStatusJson {
  const containerID = c.state.kind === 'running' ? c.state.containerID : c.state.kind === 'terminated' ? c.state.containerID : undefined;
  return {
    name: c.name,
    image: c.image,
    imageID: c.imageID,
    ...(containerID ? { containerID } : {}),
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    state: stateJson(c.state),
    lastState: stateJson(c.lastTermination),
  };
}

/** The kubelet's getPhase for regular init containers and containers. */
export function podPhase(pod: V1Pod, runtime: PodRuntime): PodPhase {
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of runtime.initContainers) {
    const s = c.state;
    if (s.kind === 'terminated') {
      if (s.exitCode !== 0) failedInit++;
    } else if (s.kind === 'waiting' && c.lastTermination) {
      if (c.lastTermination.exitCode !== 0) failedInit++;
    } else {
      pendingInit++;
    }
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of runtime.containers) {
    const s = c.state;
    if (s.kind === 'running') running++;
    else if (s.kind === 'terminated') {
      stopped++;
      if (s.exitCode === 0) succeeded++;
    } else if (c.lastTermination) stopped++;
    else waiting++;
  }
  if (failedInit > 0 && restartPolicy === 'Never') return 'Failed';
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (runtime.terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Go's fmt of a string slice: [a b]. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

interface ConditionValue {
  status: ConditionJson['status'];
  reason?: string;
  message?: string;
}

export function computePodStatus(pod: V1Pod, runtime: PodRuntime, now: Date): PodStatusJson {
  const phase = podPhase(pod, runtime);
  const generation = pod.metadata?.generation;
  const previous = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c]));
  const condition = (type: string, value: ConditionValue): ConditionJson => {
    const before = previous.get(type);
    const unchanged = before && before.status === value.status;
    const since = unchanged && before.lastTransitionTime ? apiTime(new Date(before.lastTransitionTime as unknown as string)) : apiTime(now);
    return {
      type,
      status: value.status,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastProbeTime: null,
      lastTransitionTime: since,
      ...(value.reason ? { reason: value.reason } : {}),
      ...(value.message ? { message: value.message } : {}),
    };
  };

  const terminalPhase = phase === 'Succeeded' || phase === 'Failed';
  const terminalReason = phase === 'Failed' ? 'PodFailed' : 'PodCompleted';

  // Initialized
  let initialized: ConditionValue;
  const incompleteInit = runtime.initContainers.filter((c) => !c.ready).map((c) => c.name);
  const anyRegularStarted = runtime.containers.some((c) => c.state.kind !== 'waiting' || c.lastTermination);
  if (phase === 'Succeeded') initialized = { status: 'True', reason: 'PodCompleted' };
  else if (anyRegularStarted || incompleteInit.length === 0) initialized = { status: 'True' };
  else initialized = { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${goList(incompleteInit)}` };

  // ContainersReady and Ready
  let containersReady: ConditionValue;
  const unready = runtime.containers.filter((c) => !c.ready).map((c) => c.name);
  if (terminalPhase) containersReady = { status: 'False', reason: terminalReason };
  else if (unready.length > 0) containersReady = { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${goList(unready)}` };
  else containersReady = { status: 'True' };

  let ready: ConditionValue = containersReady;
  if (containersReady.status === 'True') {
    const gateProblems: string[] = [];
    for (const gate of pod.spec?.readinessGates ?? []) {
      const c = previous.get(gate.conditionType);
      if (!c) gateProblems.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
      else if (c.status !== 'True') gateProblems.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
    }
    if (gateProblems.length > 0) ready = { status: 'False', reason: 'ReadinessGatesNotReady', message: gateProblems.join(', ') };
  }

  const conditions = [
    condition('PodReadyToStartContainers', { status: runtime.sandboxReady ? 'True' : 'False' }),
    condition('Initialized', initialized),
    condition('Ready', ready),
    condition('ContainersReady', containersReady),
    condition('PodScheduled', { status: 'True' }),
  ];

  const status: PodStatusJson = {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    phase,
    conditions,
    hostIP: runtime.hostIP,
    hostIPs: [{ ip: runtime.hostIP }],
    ...(runtime.podIP ? { podIP: runtime.podIP, podIPs: [{ ip: runtime.podIP }] } : {}),
    ...(runtime.startTime ? { startTime: apiTime(runtime.startTime) } : {}),
    initContainerStatuses: runtime.initContainers.map(containerStatusJson),
    containerStatuses: runtime.containers.map(containerStatusJson),
  };
  return status;
}

/**
 * The conditions to write: ours replace those of the same type, any other
 * condition on the pod (set by someone else) is kept.
 */
export function mergeConditions(existing: { type: string }[] | undefined, ours: ConditionJson[]): unknown[] {
  const ourTypes = new Set(ours.map((c) => c.type));
  const kept = (existing ?? []).filter((c) => !ourTypes.has(c.type)).map((c) => normaliseTimes(c));
  return [...ours, ...kept];
}

function normaliseTimes(condition: object): object {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(condition)) out[k] = v instanceof Date ? apiTime(v) : v;
  return out;
}
