// Integration tests and benchmarks of several helpers build the same fixed
// topology names (vc-tor, vc-node-1, …). A live vipcheck environment owns
// them (harness/netns/ownership.ts): wait, bounded, for it to end and never
// touch it; once nobody alive owns them, what is left is a dead run's and is
// removed before the topology is built again.
import { claimOwnership, currentOwner } from '../../lib/netns/ownership.ts';
import { destroyTopology, type TopologyPlan } from '../providers/local/topology.ts';
import { waitFor } from '../../lib/wait.ts';

export async function claimTopology(plan: TopologyPlan, options: { waitMs?: number } = {}): Promise<void> {
  await waitFor('the vipcheck environment that owns the vc- topology to end (it is never disturbed)', () => {
    const owner = currentOwner();
    return { ok: !owner || owner.pid === process.pid, observed: owner ?? 'no owner' };
  }, { timeoutMs: options.waitMs ?? 240_000, intervalMs: 250 });
  // Take the lock at once (others poll for it too), clear leftovers, and keep holding it for createTopology.
  const what = `topology with ${plan.nodes.length} nodes`;
  claimOwnership(what);
  await destroyTopology(plan);
  claimOwnership(what);
}
