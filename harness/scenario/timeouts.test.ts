import { describe, expect, it } from 'vitest';
import { resolveTimeouts, timeoutsOf, TIMEOUTS } from './timeouts.ts';

describe('named timeouts', () => {
  it('derives the defaults from a 30 s convergence bound', () => {
    const t = resolveTimeouts();
    expect(t).toMatchObject({ convergence: 30_000, announce: 30_000, deploymentReady: 60_000, failover: 90_000, quietCluster: 90_000, scenario: 180_000 });
    expect(Object.keys(t).sort()).toEqual(Object.keys(TIMEOUTS).sort());
  });

  it('follows --timeout for the bounds derived from it, not for the fixed ones', () => {
    const t = resolveTimeouts(60_000);
    expect(t).toMatchObject({ convergence: 60_000, deploymentReady: 120_000, failover: 180_000, allocationOutcome: 10_000, namespaceDeleted: 60_000 });
  });

  it('multiplies every bound by the scale', () => {
    const base = resolveTimeouts(30_000);
    const scaled = resolveTimeouts(30_000, 2.5);
    for (const name of Object.keys(base) as (keyof typeof base)[]) expect(scaled[name], name).toBe(Math.round(base[name] * 2.5));
  });

  it('refuses a bound or a scale that is not positive', () => {
    expect(() => resolveTimeouts(30_000, 0)).toThrow('timeout scale must be a positive number, got 0');
    expect(() => resolveTimeouts(30_000, Number.NaN)).toThrow('timeout scale');
    expect(() => resolveTimeouts(-1)).toThrow('convergence bound');
  });

  it('says which timeouts a runtime file lacks', () => {
    expect(timeoutsOf({ timeouts: resolveTimeouts() }).announce).toBe(30_000);
    expect(() => timeoutsOf({ timeouts: { convergence: 1 } })).toThrow(/lack the timeouts announce, withdraw/);
  });
});
