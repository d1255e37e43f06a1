// The cluster's nodes as the routers see them: their addresses (the BGP next
// hops), which of them hold a Service's ready endpoints or peer with the
// iBGP router, and a cut-off node brought back until it has rejoined.
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { compareAddresses } from '../../lib/net/index.ts';
import { runVar } from './run-vars.ts';

/** Sorted addresses of the named nodes (default: every node). */
export function nodeAddresses(ctx: ScenarioContext, names?: string[]): string[] {
  const nodes = ctx.runtime.provider.nodes;
  const addressOfNode = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node named ${name} (nodes: ${nodes.map((n) => n.name).join(', ')})`);
    return node.address;
  };
  return (names ?? nodes.map((n) => n.name)).map(addressOfNode).sort(compareAddresses);
}

/** Sorted addresses of the nodes that hold a ready endpoint of a Service (default: in the scenario's namespace). */
export async function nodesWithReadyEndpoints(ctx: ScenarioContext, service: string, namespace = ctx.namespace): Promise<string[]> {
  const endpoints = await ctx.kube.readyEndpoints(namespace, service);
  const names = [...new Set(endpoints.map((e) => e.nodeName).filter((n): n is string => !!n))];
  return nodeAddresses(ctx, names);
}

/** Nodes labelled to peer with the iBGP router (the ConfigMap's node-selectors pick them), read from the cluster. */
export async function labelledIbgpNodes(ctx: ScenarioContext): Promise<string[]> {
  const label = runVar(ctx, 'ibgpNodeLabel');
  const nodes = await ctx.kube.core.listNode({ labelSelector: `${label}=true` });
  return nodes.items.map((n) => n.metadata!.name!).sort();
}

/**
 * Brings a cut-off node back and waits (timeouts.nodeRejoin) until it is
 * Ready and the TOR has an Established session with every node again:
 * where the next scenarios expect the cluster.
 */
export async function restoreAndRejoin(ctx: ScenarioContext, name: string): Promise<void> {
  await ctx.restoreNode(name);
  await ctx.eventually(`node ${name} to be Ready again`, async () => {
    const node = await ctx.kube.core.readNode({ name });
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    return { ok: ready?.status === 'True', observed: `Ready=${ready?.status} (${ready?.reason})` };
  }, { timeoutMs: ctx.timeouts.nodeRejoin });
  await ctx.tor().waitForNeighbors(nodeAddresses(ctx), { timeoutMs: ctx.timeouts.nodeRejoin });
}
