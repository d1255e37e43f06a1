import { expect } from 'vitest';
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { scenario } from '../../harness/scenario/define.ts';
import { sessionsReset, snapshotSessions } from '../shared/bgp-sessions.ts';
import { addressOf, allocationOutcome, createService, deleteService, exposeEcho } from '../shared/lb-services.ts';
import { applyEditedConfig, restoreConfigAtEnd } from '../shared/metallb-config.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { inPool } from '../shared/pools.ts';
import { expectRoute, expectWithdrawn, hostPrefix, watchRoutes } from '../shared/routes.ts';
import { runVar } from '../shared/run-vars.ts';

const SPARE_POOL = 'vc-spare';
// An address on the fabric where nothing answers: the speakers get one more peer to dial, and nothing else changes.
const EXTRA_PEER = '198.18.0.250';

scenario({
  id: 'lb-config-update-stable',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  disruptive: true,
  description: 'adding a pool and a peer to the ConfigMap keeps every allocated address and route, and no TOR session restarts',
  async run(ctx) {
    const { vip } = await exposeEcho(ctx, 'web', { replicas: 2 });
    await createService(ctx, 'ranged-vip', { backend: 'web', pool: 'range' });
    const ranged = await addressOf(ctx, 'ranged-vip');
    const expected = { [hostPrefix(vip)]: nodeAddresses(ctx), [hostPrefix(ranged)]: nodeAddresses(ctx) };
    for (const [prefix, hops] of Object.entries(expected)) await expectRoute(ctx, prefix, hops);
    const sessions = await snapshotSessions(ctx);

    let spare: string | undefined;
    restoreConfigAtEnd(ctx, {
      // The original config would take the spare pool's address away: release it first.
      before: async () => {
        await deleteService(ctx, 'spare-vip').catch(() => {});
        if (spare) await expectWithdrawn(ctx, hostPrefix(spare));
      },
      inForce: () => spareBecomesUnknown(ctx),
    });
    const watch = watchRoutes(ctx, expected);
    const changedAt = performance.now();
    await applyEditedConfig(ctx, `a pool ${SPARE_POOL} and a peer ${EXTRA_PEER}`, (config) => {
      config['address-pools']!.push({ name: SPARE_POOL, protocol: 'bgp', 'auto-assign': false, addresses: [runVar(ctx, 'poolSpare')] });
      config.peers!.push({ 'peer-address': EXTRA_PEER, 'peer-asn': 64600, 'my-asn': Number(runVar(ctx, 'nodeAsn')), 'hold-time': '9s' });
    });

    // The new config is in force once the new pool hands out addresses.
    await createService(ctx, 'spare-vip', { backend: 'web', pool: SPARE_POOL });
    spare = await addressOf(ctx, 'spare-vip');
    ctx.markConvergence('configApplied', performance.now() - changedAt);
    expect(inPool(spare, runVar(ctx, 'poolSpare')), `spare-vip got ${spare} from ${SPARE_POOL}`).toBe(true);
    await expectRoute(ctx, hostPrefix(spare), nodeAddresses(ctx));
    await ctx.expectHttp('the first VIP still answers', [{ request: { address: vip }, expect: { backend: 'web' } }]);

    expect((await watch.stop()).join('\n'), 'moments the existing routes deviated during the change').toBe('');
    expect(await addressOf(ctx, 'web-vip'), 'web-vip keeps its address').toBe(vip);
    expect(await addressOf(ctx, 'ranged-vip'), 'ranged-vip keeps its address').toBe(ranged);
    expect((await sessionsReset(ctx, sessions)).join('\n'), 'TOR sessions that restarted').toBe('');
  },
});

/** The original config is back when a Service naming the spare pool is refused; one served by a still-stale config is deleted and asked again. */
async function spareBecomesUnknown(ctx: ScenarioContext): Promise<void> {
  let attempt = 0;
  await ctx.eventually(`the original ConfigMap to be in force again (pool ${SPARE_POOL} unknown)`, async () => {
    const name = `restore-probe-${++attempt}`;
    await createService(ctx, name, { backend: 'web', pool: SPARE_POOL });
    try {
      const outcome = await allocationOutcome(ctx, name);
      return { ok: outcome.addresses.length === 0, observed: outcome };
    } finally {
      await deleteService(ctx, name).catch(() => {});
    }
  }, { consecutive: 1, intervalMs: 1000, timeoutMs: ctx.timeouts.configApplied });
}
