// What the kind provider reads from the cluster's Node objects: which are
// Ready, and the workers with the InternalIP the TOR sees as BGP next hop.
// The control-plane node keeps kind's NoSchedule taint and runs no speaker,
// so it is not one of the provider's nodes.
import type { V1Node } from '@kubernetes/client-node';
import type { ClusterNode } from '../provider.ts';

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

export function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** "name: Ready" / "name: NotReady (reason)" per node, for progress and timeout messages. */
export function readinessSummary(nodes: V1Node[]): string {
  if (nodes.length === 0) return 'no Nodes registered yet';
  return nodes.map((n) => {
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    return isReady(n) ? `${n.metadata?.name}: Ready` : `${n.metadata?.name}: NotReady${ready?.reason ? ` (${ready.reason})` : ''}`;
  }).join(', ');
}

/** Workers sorted by name, each with its InternalIP; throws naming a worker without one. */
export function workerNodes(nodes: V1Node[]): ClusterNode[] {
  return nodes
    .filter((n) => !(CONTROL_PLANE_LABEL in (n.metadata?.labels ?? {})))
    .map((n) => {
      const name = n.metadata?.name ?? '(unnamed)';
      const address = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
      if (!address) throw new Error(`Node ${name} has no InternalIP in status.addresses`);
      return { name, address };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

