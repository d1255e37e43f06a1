// Disturbances scenarios ask of a provider, from the runtime description
// (scenario files run in vitest workers, away from the provider object).
import { run } from '../../lib/exec.ts';
import type { Runtime } from '../scenario/runtime.ts';
import { pauseKindNode, unpauseKindNode } from './kind/kind-provider.ts';

function linkOf(runtime: Runtime, node: string): { netns: string; link: string } {
  const link = runtime.provider.nodeLinks?.[node];
  if (!link) throw new Error(`the ${runtime.provider.name} provider cannot cut node "${node}" off (known: ${Object.keys(runtime.provider.nodeLinks ?? {}).join(', ') || 'none'})`);
  return link;
}

/**
 * Cuts a node off: on the local provider its link at the TOR goes down, as
 * if its cable were pulled; on kind its container is paused.
 */
export async function cutNode(runtime: Runtime, node: string): Promise<void> {
  const container = runtime.provider.nodeContainers?.[node];
  if (container) return pauseKindNode(container);
  const { netns, link } = linkOf(runtime, node);
  await run(['ip', 'link', 'set', link, 'down'], { netns });
}

export async function restoreNode(runtime: Runtime, node: string): Promise<void> {
  const container = runtime.provider.nodeContainers?.[node];
  if (container) return unpauseKindNode(container);
  const { netns, link } = linkOf(runtime, node);
  await run(['ip', 'link', 'set', link, 'up'], { netns });
}
