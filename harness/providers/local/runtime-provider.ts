// The local provider as `vipcheck run` sees it: bring the environment up
// (or use the one that is up) and describe it for the scenarios.
import type { ClusterNode } from '../provider.ts';
import type { TorAccess } from '../../scenario/runtime.ts';
import { up } from './lifecycle.ts';
import { templateVars } from './addressing.ts';
import { localBgpAccess } from './bgp-access.ts';

export interface RuntimeProvider {
  kubeconfig: string;
  kubernetesVersion: string;
  nodes: ClusterNode[];
  tor?: TorAccess;
  ibgpRouter?: TorAccess;
  nodeLinks?: Record<string, { netns: string; link: string }>;
  ibgpNodes?: string[];
  /** Node name → its container (kind provider): node loss pauses it. */
  nodeContainers?: Record<string, string>;
  vars: Record<string, string | number>;
}

export async function localRuntimeProvider(options: { nodes: number; log: (line: string) => void }): Promise<RuntimeProvider> {
  const state = await up({ nodes: options.nodes, log: options.log });
  const plan = state.plan!;
  return {
    kubeconfig: state.kubeconfig,
    kubernetesVersion: state.kubernetesVersion,
    nodes: plan.nodes.map((n) => ({ name: n.name, address: n.address })),
    ...localBgpAccess(plan, state.runDir),
    vars: templateVars(plan),
  };
}
