// Integration tests and benchmarks of several helpers build the same fixed
// topology names (vc-tor, vc-node-1, …). Before building it, wait (bounded)
// while another run is using those namespaces — something still runs inside
// them — then remove what is left (a finished or dead run's leftovers).
import { listNetns, netnsPids } from '../netns/netns.ts';
import { destroyTopology, type TopologyPlan } from '../providers/local/topology.ts';
import { waitFor } from '../util/wait.ts';

export async function claimTopology(plan: TopologyPlan, options: { waitMs?: number; log?: (line: string) => void } = {}): Promise<void> {
  const ours = [plan.tor.netns, plan.controlPlane.netns, ...plan.nodes.map((n) => n.name)];
  try {
    await waitFor(`another run to release the topology namespaces ${ours.join(', ')}`, async () => {
      const present = (await listNetns()).filter((name) => ours.includes(name));
      const busy: Record<string, number> = {};
      for (const name of present) {
        const pids = await netnsPids(name);
        if (pids.length > 0) busy[name] = pids.length;
      }
      return { ok: Object.keys(busy).length === 0, observed: { processesIn: busy } };
    }, { timeoutMs: options.waitMs ?? 240_000, intervalMs: 1000 });
  } catch (error) {
    options.log?.(`${(error as Error).message}; reclaiming them anyway`);
  }
  await destroyTopology(plan);
}
