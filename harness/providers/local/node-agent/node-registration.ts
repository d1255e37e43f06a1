// The Node object and its heartbeats: registration (create, or update
// labels/podCIDR when it exists), the Lease in kube-node-lease, and status
// patches with Ready=True. When the node is cut off, heartbeats stop and the
// controller-manager's node lifecycle controller marks it NotReady itself.
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import { PatchStrategy, setHeaderOptions, type CoordinationV1Api, type CoreV1Api } from '@kubernetes/client-node';
import type { NodeAgentConfig } from './config.ts';
import { apiTime } from './pod-status.ts';

/** Lease renewal. The kubelet renews every 10 s; the local control plane's grace period is short (16 s), so we renew more often. */
export const LEASE_RENEW_MS = 5_000;
export const LEASE_DURATION_SECONDS = 40;
export const STATUS_UPDATE_MS = 10_000;
export const CONTAINER_RUNTIME_VERSION = 'vipcheck://0.1.0';

const CAPACITY = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '20Gi' };

const CONDITIONS = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

export function nodeLabels(config: NodeAgentConfig): Record<string, string> {
  return {
    ...config.labels,
    'kubernetes.io/hostname': config.nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
  };
}

/** The Node as registered (status comes with the first heartbeat). */
export function nodeObject(config: NodeAgentConfig): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: config.nodeName, labels: nodeLabels(config) },
    spec: { podCIDR: config.podCidr, podCIDRs: [config.podCidr] },
  };
}

function stableId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

export interface PreviousCondition {
  type: string;
  status: string;
  lastTransitionTime?: string | Date;
}

/** The status written on every heartbeat; lastTransitionTime survives while the status stays the same. */
export function nodeStatus(config: NodeAgentConfig, previous: PreviousCondition[] | undefined, now: Date, bootID: string): object {
  const heartbeat = apiTime(now);
  const conditions = CONDITIONS.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const since = before && before.status === c.status && before.lastTransitionTime ? apiTime(new Date(before.lastTransitionTime)) : heartbeat;
    return { ...c, lastHeartbeatTime: heartbeat, lastTransitionTime: since };
  });
  return {
    conditions,
    addresses: [
      { type: 'InternalIP', address: config.nodeAddress },
      { type: 'Hostname', address: config.nodeName },
    ],
    capacity: CAPACITY,
    allocatable: CAPACITY,
    daemonEndpoints: { kubeletEndpoint: { Port: config.kubeletPort } },
    nodeInfo: {
      machineID: stableId(`machine ${config.nodeName}`),
      systemUUID: stableId(`system ${config.nodeName}`),
      bootID,
      kernelVersion: os.release(),
      osImage: 'vipcheck local node',
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: config.kubernetesVersion,
      kubeProxyVersion: config.kubernetesVersion,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** metav1.MicroTime wants exactly six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function statusCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class NodeRegistration {
  private readonly config: NodeAgentConfig;
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly log: (line: string) => void;
  private readonly bootID = randomUUID();
  private nodeUid: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  private failingSince: number | undefined;

  constructor(config: NodeAgentConfig, core: CoreV1Api, coordination: CoordinationV1Api, log: (line: string) => void) {
    this.config = config;
    this.core = core;
    this.coordination = coordination;
    this.log = log;
  }

  /** Creates the Node, or brings an existing one's labels and podCIDR up to date; then posts status. */
  async register(): Promise<void> {
    const name = this.config.nodeName;
    try {
      const created = await this.core.createNode({ body: nodeObject(this.config) as never });
      this.nodeUid = created.metadata?.uid;
      this.log(`registered Node ${name} (podCIDR ${this.config.podCidr})`);
    } catch (error) {
      if (statusCode(error) !== 409) throw new Error(`registering Node ${name}: ${describe(error)}`);
      const patch = { metadata: { labels: nodeLabels(this.config) }, spec: { podCIDR: this.config.podCidr, podCIDRs: [this.config.podCidr] } };
      const updated = await this.core.patchNode({ name, body: patch }, mergePatch());
      this.nodeUid = updated.metadata?.uid;
      this.log(`Node ${name} already registered: labels and podCIDR updated`);
    }
    await this.postStatus();
    await this.renewLease();
  }

  /** Heartbeats until stop(). Failures are logged once per outage, and retried on the next beat. */
  start(): void {
    const every = (ms: number, beat: () => Promise<void>) => {
      const timer = setInterval(() => {
        beat().then(() => this.recovered(), (error) => this.failed(error));
      }, ms);
      this.timers.push(timer);
    };
    every(LEASE_RENEW_MS, () => this.renewLease());
    every(STATUS_UPDATE_MS, () => this.postStatus());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private failed(error: unknown): void {
    if (this.failingSince === undefined) {
      this.failingSince = Date.now();
      this.log(`heartbeat failed (will keep trying): ${describe(error)}`);
    }
  }

  private recovered(): void {
    if (this.failingSince !== undefined) {
      this.log(`heartbeats work again after ${Math.round((Date.now() - this.failingSince) / 1000)} s`);
      this.failingSince = undefined;
      // Back on the fabric: say Ready now rather than at the next status beat.
      this.postStatus().catch((error) => this.failed(error));
    }
  }

  async postStatus(): Promise<void> {
    const node = await this.core.readNode({ name: this.config.nodeName });
    this.nodeUid = node.metadata?.uid ?? this.nodeUid;
    const previous = node.status?.conditions as PreviousCondition[] | undefined;
    const status = nodeStatus(this.config, previous, new Date(), this.bootID);
    await this.core.patchNodeStatus({ name: this.config.nodeName, body: { status } }, mergePatch());
  }

  async renewLease(): Promise<void> {
    const name = this.config.nodeName;
    const namespace = 'kube-node-lease';
    const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(new Date()) };
    try {
      await this.coordination.patchNamespacedLease({ name, namespace, body: { spec } }, mergePatch());
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
      const ownerReferences = this.nodeUid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: this.nodeUid }] : undefined;
      await this.coordination.createNamespacedLease({ namespace, body: { metadata: { name, namespace, ownerReferences }, spec } as never });
    }
  }
}

export function describe(error: unknown): string {
  const e = error as { code?: number; body?: unknown; message?: string };
  if (e.code !== undefined && e.body !== undefined) {
    const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return `HTTP ${e.code}: ${parsed.message}`;
    } catch {
      // not JSON
    }
    return `HTTP ${e.code}: ${body.slice(0, 300)}`;
  }
  return e.message ?? String(error);
}
