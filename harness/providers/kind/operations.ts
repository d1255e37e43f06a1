// The kind provider's node operations, run by scenario workers from the
// description alone. A node is a container: pausing it freezes kubelet,
// speaker and pods at once, so its BGP sessions end at the hold time and its
// pods stop answering. That is also how a node is cut off: from outside, a
// frozen node and an unplugged one look the same.
import { run } from '../../../lib/exec.ts';
import type { EnvironmentDescription, NodeOperations } from '../provider.ts';
import { dockerPauseArgv, dockerUnpauseArgv } from './commands.ts';

/** The `operations` payload of a kind environment. */
export interface KindOperationsPayload {
  /** Node name → its container (kind names each after its Node). */
  nodeContainers: Record<string, string>;
}

const DOCKER_TIMEOUT_MS = 30_000;

export async function pauseKindNode(container: string): Promise<void> {
  if (!container.startsWith('vc-')) throw new Error(`refusing to pause "${container}": not a node of a vipcheck kind cluster (vc-…)`);
  await run(dockerPauseArgv(container), { timeoutMs: DOCKER_TIMEOUT_MS });
}

export async function unpauseKindNode(container: string): Promise<void> {
  if (!container.startsWith('vc-')) throw new Error(`refusing to unpause "${container}": not a node of a vipcheck kind cluster (vc-…)`);
  await run(dockerUnpauseArgv(container), { timeoutMs: DOCKER_TIMEOUT_MS });
}

function containerOf(environment: EnvironmentDescription, node: string): string {
  const containers = (environment.operations as KindOperationsPayload | undefined)?.nodeContainers ?? {};
  const container = containers[node];
  if (!container) throw new Error(`"${node}" is not a worker of this kind environment (workers: ${Object.keys(containers).join(', ') || 'none'})`);
  return container;
}

const pause = async (environment: EnvironmentDescription, node: string) => pauseKindNode(containerOf(environment, node));
const unpause = async (environment: EnvironmentDescription, node: string) => unpauseKindNode(containerOf(environment, node));

export const operations: NodeOperations = { cutNode: pause, restoreNode: unpause, pauseNode: pause, resumeNode: unpause };
