import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { expectNewSession, snapshotSessions } from '../shared/bgp-sessions.ts';
import { exposeEcho } from '../shared/lb-services.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { recordLoop, startRequestLoop } from '../shared/request-loop.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';
import { restartSpeaker } from '../shared/speakers.ts';

scenario({
  id: 'lb-speaker-restart',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  disruptive: true,
  description: 'restarting a node\'s speaker re-establishes its session and re-announces the VIP; traffic recovers',
  async run(ctx) {
    const { vip } = await exposeEcho(ctx, 'web', { replicas: 2 });
    const prefix = hostPrefix(vip);
    await expectRoute(ctx, prefix, nodeAddresses(ctx));
    const node = ctx.runtime.provider.nodes[0];
    const before = await snapshotSessions(ctx);
    expect(before.uptimes[node.address], `${node.name} has an Established session before the restart`).toBeDefined();

    const loop = startRequestLoop({ address: vip }, { backend: 'web' });
    const deletedAt = await restartSpeaker(ctx, node.name);
    await expectNewSession(ctx, node.address, deletedAt);
    await expectRoute(ctx, prefix, nodeAddresses(ctx), { since: deletedAt, convergence: 'reannounced' });
    await ctx.expectHttp('the VIP answers after the restart', [{ request: { address: vip, headers: { connection: 'close' } }, expect: { backend: 'web' } }]);
    recordLoop(ctx, await loop.stop());
  },
});
