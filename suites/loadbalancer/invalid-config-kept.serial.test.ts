import { expect } from 'vitest';
import { scenario } from '../../harness/scenario/define.ts';
import { sessionsReset, snapshotSessions } from '../shared/bgp-sessions.ts';
import { addressOf, allocationOutcome, createService, currentAddresses, exposeEcho } from '../shared/lb-services.ts';
import { applyEditedConfig, configMapWarnings, refusalEvent, restoreConfigAtEnd, type MetalLbConfig } from '../shared/metallb-config.ts';
import { nodeAddresses } from '../shared/nodes.ts';
import { inPool } from '../shared/pools.ts';
import { expectRoute, hostPrefix } from '../shared/routes.ts';
import { runVar } from '../shared/run-vars.ts';

// Every invalid config also adds this pool: if the config were wrongly put
// in force, a Service naming the pool would get an address from it.
const NEVER_POOL = 'vc-never';

const INVALID: { defect: string; edit: (config: MetalLbConfig, vars: { poolDefault: string }) => void }[] = [
  { defect: 'an unknown top-level key', edit: (c) => { c['vc-unknown-key'] = true; } },
  { defect: 'a pool overlapping the default pool', edit: (c, v) => { c['address-pools']!.push({ name: 'vc-overlap', protocol: 'bgp', 'auto-assign': false, addresses: [v.poolDefault] }); } },
  { defect: 'a peer ASN beyond 32 bits', edit: (c) => { c.peers![0]['peer-asn'] = 4294967296; } },
];

scenario({
  id: 'lb-invalid-config-kept',
  suite: 'loadbalancer',
  feature: 'lb-bgp',
  alsoChecks: ['lb-config-refusal-event'],
  disruptive: true,
  description: 'an invalid ConfigMap (unknown key, overlapping CIDRs, bad ASN) is refused visibly; the last good config, addresses, routes and sessions stay',
  async run(ctx) {
    const { vip } = await exposeEcho(ctx, 'web', { replicas: 2 });
    await expectRoute(ctx, hostPrefix(vip), nodeAddresses(ctx));
    const sessions = await snapshotSessions(ctx);
    restoreConfigAtEnd(ctx);

    for (const [i, { defect, edit }] of INVALID.entries()) {
      const seen = await configMapWarnings(ctx);
      const appliedAt = performance.now();
      await applyEditedConfig(ctx, defect, (config) => {
        config['address-pools']!.push({ name: NEVER_POOL, protocol: 'bgp', 'auto-assign': false, addresses: [runVar(ctx, 'poolSpare')] });
        edit(config, { poolDefault: runVar(ctx, 'poolDefault') });
      });
      const warning = await refusalEvent(ctx, seen);
      if (warning) ctx.markConvergence(`refused${i + 1}`, performance.now() - appliedAt); // config applied → visible refusal
      if (!warning && ctx.claims('lb-config-refusal-event')) {
        throw new Error(`${ctx.target.name} claims lb-config-refusal-event but refused the config with ${defect} without a Warning Event on the ConfigMap`);
      }
      ctx.log(`${defect}: ${warning ?? 'no Event on the ConfigMap (a target that does not claim lb-config-refusal-event may only log it)'}`);

      // The old config stays in force: the pool the invalid config adds is unknown, the default pool still allocates.
      await createService(ctx, `never-${i + 1}`, { backend: 'web', pool: NEVER_POOL });
      await createService(ctx, `after-${i + 1}`, { backend: 'web' });
      const never = await allocationOutcome(ctx, `never-${i + 1}`);
      expect(never.addresses, `a Service naming ${NEVER_POOL} (only in the config with ${defect})`).toEqual([]);
      const after = await addressOf(ctx, `after-${i + 1}`);
      expect(inPool(after, runVar(ctx, 'poolDefault')), `a new Service got ${after} from the old config's default pool`).toBe(true);
      expect(await addressOf(ctx, 'web-vip'), `web-vip keeps its address after ${defect}`).toBe(vip);
      await expectRoute(ctx, hostPrefix(vip), nodeAddresses(ctx));
      await ctx.expectHttp(`the VIP still answers after ${defect}`, [{ request: { address: vip }, expect: { backend: 'web' } }]);
      expect(await currentAddresses(ctx, `never-${i + 1}`), `never-${i + 1}, a few seconds later`).toEqual([]);
    }
    expect((await sessionsReset(ctx, sessions)).join('\n'), 'TOR sessions that restarted').toBe('');
  },
});
