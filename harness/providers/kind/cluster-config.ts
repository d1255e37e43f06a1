// The kind cluster config: fixtures/kind/cluster.yaml plus the per-run parts
// (nodes, node image, subnets). Pure: the provider pipes the result to
// `kind create cluster --config -`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../../lib/repo-root.ts';
import { planTopology } from '../local/topology.ts';

export const CLUSTER_TEMPLATE = path.join(REPO_ROOT, 'fixtures/kind/cluster.yaml');
export const MAX_WORKERS = 10;

export interface ClusterConfigOptions {
  workers: number;
  nodeImage: string;
  /** The YAML of fixtures/kind/cluster.yaml (read from disk when omitted). */
  template?: string;
}

export interface KindNode {
  role: 'control-plane' | 'worker';
  image: string;
  kubeadmConfigPatches?: string[];
}

/**
 * Keeps BGP speakers (and all other workloads without a matching toleration)
 * off the control plane, even speakers that tolerate the control-plane taint:
 * the provider's nodes, the TOR's next hops and the local provider's nodes
 * are then the same set, the workers.
 */
export const NO_SPEAKER_TAINT = { key: 'vipcheck.dev/no-bgp-speaker', effect: 'NoSchedule' } as const;

/** kubeadm takes the list as given, so the usual control-plane taint is listed too. */
const CONTROL_PLANE_TAINTS_PATCH = stringify({
  kind: 'InitConfiguration',
  nodeRegistration: {
    taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }, NO_SPEAKER_TAINT],
  },
});

export interface KindClusterConfig {
  kind: 'Cluster';
  apiVersion: 'kind.x-k8s.io/v1alpha4';
  networking: Record<string, unknown> & { podSubnet: string; serviceSubnet: string };
  nodes: KindNode[];
  [key: string]: unknown;
}

/** Same pod and Service ranges as the local provider's plan. */
export function clusterSubnets(): { podSubnet: string; serviceSubnet: string } {
  const plan = planTopology(1);
  return { podSubnet: plan.clusterCidr, serviceSubnet: plan.serviceCidr };
}

export function buildClusterConfig(options: ClusterConfigOptions): KindClusterConfig {
  const { workers, nodeImage } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new Error(`--nodes must be an integer from 1 to ${MAX_WORKERS} for the kind provider, got ${workers}`);
  }
  const source = options.template === undefined ? CLUSTER_TEMPLATE : 'the cluster template';
  const base = parse(options.template ?? readFileSync(CLUSTER_TEMPLATE, 'utf8')) as Record<string, unknown> | null;
  if (!base || typeof base !== 'object') throw new Error(`${source}: expected a kind Cluster object`);
  if (base.kind !== 'Cluster' || base.apiVersion !== 'kind.x-k8s.io/v1alpha4') {
    throw new Error(`${source}: kind must be Cluster and apiVersion kind.x-k8s.io/v1alpha4, got ${String(base.kind)} ${String(base.apiVersion)}`);
  }
  if ('nodes' in base) throw new Error(`${source}: must not list nodes; the provider adds them (--nodes N)`);
  const networking = (base.networking ?? {}) as Record<string, unknown>;
  const nodes: KindNode[] = [{ role: 'control-plane', image: nodeImage, kubeadmConfigPatches: [CONTROL_PLANE_TAINTS_PATCH] }];
  for (let i = 0; i < workers; i++) nodes.push({ role: 'worker', image: nodeImage });
  return {
    ...base,
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking: { ...networking, ...clusterSubnets() },
    nodes,
  };
}

export function clusterConfigYaml(options: ClusterConfigOptions): string {
  return stringify(buildClusterConfig(options));
}

/** kind names node containers <cluster>-control-plane, <cluster>-worker, <cluster>-worker2, … */
export function workerContainerNames(cluster: string, workers: number): string[] {
  return Array.from({ length: workers }, (_, i) => `${cluster}-worker${i === 0 ? '' : i + 1}`);
}
