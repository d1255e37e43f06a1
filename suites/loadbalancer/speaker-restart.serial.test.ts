import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { expectRoute, exposeEcho, hostPrefix, nodeAddresses, snapshotSessions } from '../shared/helpers.ts';
import { startRequestLoop } from '../shared/request-loop.ts';

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
    const { namespace, labelSelector } = ctx.target.loadBalancer!.speakerPods;
    const speakers = await ctx.kube.podsOf(namespace, labelSelector);
    const old = speakers.find((p) => p.spec?.nodeName === node.name);
    if (!old) throw new Error(`no speaker pod (${labelSelector} in ${namespace}) on ${node.name}; speakers on: ${speakers.map((p) => p.spec?.nodeName).join(', ')}`);
    const before = await snapshotSessions(ctx);
    expect(before.uptimes[node.address], `${node.name} has an Established session before the restart`).toBeDefined();

    const loop = startRequestLoop({ address: vip }, { backend: 'web' });
    const deletedAt = performance.now();
    ctx.log(`deleting speaker pod ${old.metadata!.name} on ${node.name}`);
    await ctx.kube.core.deleteNamespacedPod({ namespace, name: old.metadata!.name! });

    await ctx.eventually(`a new Ready speaker pod on ${node.name}`, async () => {
      const pods = await ctx.kube.podsOf(namespace, labelSelector);
      const fresh = pods.find((p) => p.spec?.nodeName === node.name && p.metadata?.uid !== old.metadata?.uid);
      const ready = fresh?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      return { ok: ready, observed: pods.map((p) => `${p.metadata?.name}@${p.spec?.nodeName} ${p.status?.phase}`) };
    }, { timeoutMs: ctx.timeoutMs * 2 });
    // A new session: Established again, and younger than the time since the delete.
    await ctx.eventually(`a new session from ${node.address} at the TOR`, async () => {
      const now = await snapshotSessions(ctx);
      const uptime = now.uptimes[node.address];
      return { ok: uptime !== undefined && uptime * 1000 <= now.at - deletedAt + 1000, observed: `uptime ${uptime ?? 'not established'} s, ${Math.round((now.at - deletedAt) / 1000)} s after the delete` };
    }, { timeoutMs: ctx.timeoutMs * 2 });
    const { afterMs } = await expectRoute(ctx, prefix, nodeAddresses(ctx), { since: deletedAt });
    ctx.convergenceMs = afterMs;
    await ctx.expectHttp('the VIP answers after the restart', [{ request: { address: vip, headers: { connection: 'close' } }, expect: { backend: 'web' } }]);
    const summary = await loop.stop();
    ctx.measure('failedRequests', summary.failed);
    ctx.measure('failedRequestWindowMs', summary.failedWindowMs);
    ctx.log(`request loop during the restart: ${summary.sent} sent, ${summary.failed} failed\n  ${summary.samples.join('\n  ')}`);
  },
});
