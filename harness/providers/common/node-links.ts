// Node loss by the cable: the router-side link of a node goes down, as if
// the cable were pulled, and comes back up. The local provider's TOR
// namespace holds those links; an existing cluster's BGP access file may name
// them (nodeLinks). These are the node operations of both.
import { run } from '../../../lib/exec.ts';
import type { EnvironmentDescription, NodeOperations } from '../provider.ts';

export interface NodeLink {
  /** The namespace holding the router-side end of the node's link. */
  netns: string;
  link: string;
}

/** The `operations` payload of an environment whose nodes are cut by their links. */
export interface NodeLinksPayload {
  nodeLinks: Record<string, NodeLink>;
}

const LINK_TIMEOUT_MS = 10_000;

function linkOf(environment: EnvironmentDescription, node: string): NodeLink {
  const links = (environment.operations as NodeLinksPayload | undefined)?.nodeLinks ?? {};
  const link = links[node];
  if (!link) throw new Error(`the ${environment.name} provider has no link for node "${node}" (nodes with links: ${Object.keys(links).join(', ') || 'none'})`);
  return link;
}

async function setLink(environment: EnvironmentDescription, node: string, state: 'up' | 'down'): Promise<void> {
  const { netns, link } = linkOf(environment, node);
  await run(['ip', 'link', 'set', link, state], { netns, timeoutMs: LINK_TIMEOUT_MS });
}

export const operations: NodeOperations = {
  cutNode: (environment, node) => setLink(environment, node, 'down'),
  restoreNode: (environment, node) => setLink(environment, node, 'up'),
};
