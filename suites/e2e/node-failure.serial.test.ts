import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { controllerOnTwoNodes } from '../shared/ingress-controller.ts';
import { restoreAndRejoin } from '../shared/nodes.ts';
import { recordLoop, startRequestLoop } from '../shared/request-loop.ts';
import { chooseVictim } from '../shared/victim.ts';

const HOST = 'node-failure.e2e.example';
// A failure-free stretch this long (about 300 requests) counts as recovered.
const QUIET_MS = 5000;

scenario({
  id: 'e2e-node-failure',
  suite: 'e2e',
  feature: 'ingress-core',
  requires: ['lb-bgp'],
  disruptive: true,
  timeoutMs: 300_000,
  description: 'losing a node that runs a controller replica keeps the VIP serving through the remaining ones; the failed-request window is measured and reported',
  async run(ctx) {
    await ctx.echoBackend('app', ctx.runtime.provider.nodes.length);
    await ctx.apply('e2e/ingress.yaml', { name: 'node-failure', host: HOST, backend: 'app' });
    const running = await controllerOnTwoNodes(ctx);
    const request = { address: ctx.ingressAddress(), host: HOST, headers: { connection: 'close' } };
    await ctx.expectHttp('the VIP serves the Ingress before the failure', [{ request, expect: { backend: 'app' } }]);

    const victim = await chooseVictim(ctx, running);
    const loop = startRequestLoop(request, { backend: 'app' });
    await new Promise((r) => setTimeout(r, 1000));
    const cutAt = performance.now();
    ctx.log(`cutting ${victim.name}, which runs a controller replica (controllers on ${running.join(', ')})`);
    await ctx.cutNode(victim.name);
    // Recovered once the loop has gone QUIET_MS without a failure, while the node is still cut off.
    await loop.waitForQuiet(QUIET_MS, ctx.timeouts.failover, cutAt);
    const summary = await loop.stop();
    ctx.markConvergence('failover', (summary.lastFailureAt ?? cutAt) - cutAt); // node cut → end of the last failed request
    recordLoop(ctx, summary);
    if (summary.failed > 0) expect(summary.succeededDuringWindow, 'requests served by the other controllers while failures happened').toBeGreaterThan(0);
    await ctx.expectHttp(`the VIP serves through the controllers left without ${victim.name}`,
      [1, 2, 3, 4].map((i) => ({ request: { ...request, path: `/after/${i}` }, expect: { backend: 'app', path: `/after/${i}` } })));

    await restoreAndRejoin(ctx, victim.name);
    await ctx.expectHttp('the VIP serves after the node is back', [{ request, expect: { backend: 'app' } }]);
  },
});
