// The named bounds scenarios wait with, and their defaults, in one table.
// `--timeout SECONDS` sets the convergence bound, which most others are
// multiples of; `--timeout-scale N` multiplies every one, for slow machines.
// `vipcheck run` resolves them once and hands them to the workers in the
// runtime settings (ms, already scaled); scenarios read `ctx.timeouts.<name>`.

/** Each bound: what it waits for, and its value from the convergence bound (ms, before scaling). */
export const TIMEOUTS = {
  convergence: { what: 'any eventually-consistent wait without a more specific bound (ctx.eventually, ctx.expectHttp): --timeout', ms: (c: number) => c },
  announce: { what: 'a route at the TOR or the iBGP router with the expected next hops', ms: (c: number) => c },
  withdraw: { what: 'a route gone from the router\'s RIB (and the TOR\'s FIB)', ms: (c: number) => c },
  address: { what: 'a LoadBalancer Service to get its address', ms: (c: number) => c },
  deploymentReady: { what: 'every replica of a Deployment ready (echo backends, controller instances, a scaled controller)', ms: (c: number) => 2 * c },
  speakerRestart: { what: 'a deleted speaker pod replaced by a Ready one, and its BGP session Established again', ms: (c: number) => 2 * c },
  configApplied: { what: 'an edited or restored MetalLB ConfigMap observably in force', ms: (c: number) => 2 * c },
  nodeRejoin: { what: 'a restored node Ready again, its sessions Established and its next hops back', ms: (c: number) => 2 * c },
  failover: { what: 'traffic through the VIP quiet again after a node with a controller replica is cut off', ms: (c: number) => Math.max(3 * c, 90_000) },
  allocationOutcome: { what: 'a Service to get an address or an AllocationFailed event (a probe that scenarios repeat)', ms: () => 10_000 },
  configRefusal: { what: 'a Warning Event on the ConfigMap after an invalid config (absent for targets that only log it)', ms: () => 10_000 },
  quietCluster: { what: 'other scenarios\' namespaces to finish terminating, before a scenario that measures a deletion of its own', ms: () => 90_000 },
  namespaceDeleted: { what: 'a namespace kept by an earlier failed run to be gone before the scenario starts', ms: () => 60_000 },
  scenario: { what: 'a whole scenario, unless it sets its own timeoutMs (which is scaled too)', ms: (c: number) => 4 * c + 60_000 },
} as const;

export type TimeoutName = keyof typeof TIMEOUTS;

/** Every named bound in ms, already scaled. */
export type TimeoutConfig = Record<TimeoutName, number>;

export const DEFAULT_CONVERGENCE_MS = 30_000;

/** The bounds of a run: each default from `convergenceMs` (--timeout), times `scale` (--timeout-scale). */
export function resolveTimeouts(convergenceMs = DEFAULT_CONVERGENCE_MS, scale = 1): TimeoutConfig {
  if (!(convergenceMs > 0)) throw new Error(`the convergence bound must be a positive number of ms, got ${convergenceMs}`);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`the timeout scale must be a positive number, got ${scale}`);
  const entries = Object.entries(TIMEOUTS).map(([name, t]) => [name, Math.round(t.ms(convergenceMs) * scale)]);
  return Object.fromEntries(entries) as TimeoutConfig;
}

/** The run's bounds as the runtime settings carry them, with a clear error for a runtime file that lacks one. */
export function timeoutsOf(settings: { timeouts?: Record<string, number> }): TimeoutConfig {
  const timeouts = settings.timeouts ?? {};
  const missing = Object.keys(TIMEOUTS).filter((name) => typeof timeouts[name] !== 'number');
  if (missing.length) throw new Error(`the runtime settings lack the timeouts ${missing.join(', ')}: the run file was written by another vipcheck version`);
  return timeouts as TimeoutConfig;
}
