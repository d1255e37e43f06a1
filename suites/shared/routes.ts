// Routes on the TOR (eBGP; RIB and kernel FIB) and the iBGP router (RIB
// only) for the VIPs, and the waits on them: announced with exactly the
// expected equal-cost next hops, withdrawn, or held steady while something
// else changes.
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { compareAddresses } from '../../lib/net/index.ts';
import type { Route } from '../../harness/tor/tor.ts';

export function hostPrefix(address: string): string {
  return `${address}/32`;
}

export type Router = 'tor' | 'ibgp';

/** What a router holds for a prefix: its RIB entry and, for the TOR, its kernel next hops. */
export async function readRoute(ctx: ScenarioContext, prefix: string, router: Router = 'tor'): Promise<{ route: Route | undefined; fib: string[] | undefined }> {
  const bgp = router === 'tor' ? ctx.tor() : ctx.ibgpRouter();
  const programsFib = (router === 'tor' ? ctx.runtime.provider.tor : ctx.runtime.provider.ibgpRouter)?.programsFib ?? false;
  const [routes, fib] = await Promise.all([bgp.routes(prefix), programsFib ? bgp.fib(prefix) : Promise.resolve(undefined)]);
  return { route: routes[0], fib };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface RouteWait {
  router?: Router;
  /** performance.now() of the cause (e.g. the Service's creation): `afterMs` counts from there. */
  since?: number;
  /** Default: timeouts.announce / timeouts.withdraw. */
  timeoutMs?: number;
  /** Marks `afterMs` as the scenario's convergence time of this name. */
  convergence?: string;
}

function routerName(router: Router): string {
  return router === 'tor' ? 'the TOR' : 'the iBGP router';
}

/** The wait's time, counted from `since` when given, marked under `convergence` when named. */
function afterCause(ctx: ScenarioContext, waitStart: number, waitedMs: number, options: RouteWait): number {
  const afterMs = Math.round((options.since !== undefined ? waitStart - options.since : 0) + waitedMs);
  if (options.convergence) ctx.markConvergence(options.convergence, afterMs);
  return afterMs;
}

/**
 * Waits until the router holds `prefix` with exactly `nextHops` as its
 * equal-cost next hops — in the RIB and, where the router programs one, in
 * the kernel FIB — three times in a row. `nextHops` may be a function read
 * again on every poll (next hops that follow moving pods).
 */
export async function expectRoute(ctx: ScenarioContext, prefix: string, nextHops: string[] | (() => Promise<string[]>), options: RouteWait = {}): Promise<{ route: Route; afterMs: number }> {
  const router = options.router ?? 'tor';
  const waitStart = performance.now();
  const label = Array.isArray(nextHops) ? nextHops.join(', ') : 'the expected nodes';
  const result = await ctx.eventually(`${routerName(router)} to route ${prefix} via ${label}`, async () => {
    const want = Array.isArray(nextHops) ? [...nextHops].sort(compareAddresses) : await nextHops();
    const { route, fib } = await readRoute(ctx, prefix, router);
    const rib = route?.nextHops ?? [];
    const ok = want.length > 0 && sameList(rib, want) && (fib === undefined || sameList(fib, want));
    return { ok, value: route, observed: { want, rib, ...(fib ? { fib } : {}) } };
  }, { timeoutMs: options.timeoutMs ?? ctx.timeouts.announce });
  return { route: result.value!, afterMs: afterCause(ctx, waitStart, result.convergenceMs, options) };
}

/** Waits until neither the router's RIB nor (for the TOR) its FIB holds `prefix`; returns the time (from `since`). */
export async function expectWithdrawn(ctx: ScenarioContext, prefix: string, options: RouteWait = {}): Promise<number> {
  const router = options.router ?? 'tor';
  const waitStart = performance.now();
  const result = await ctx.eventually(`${prefix} to be withdrawn from ${router === 'tor' ? "the TOR's RIB and FIB" : "the iBGP router's RIB"}`, async () => {
    const { route, fib } = await readRoute(ctx, prefix, router);
    return { ok: !route && (fib === undefined || fib.length === 0), observed: { rib: route?.nextHops ?? [], ...(fib ? { fib } : {}) } };
  }, { timeoutMs: options.timeoutMs ?? ctx.timeouts.withdraw });
  return afterCause(ctx, waitStart, result.convergenceMs, options);
}

/**
 * Polls the TOR while something changes and collects every moment a prefix
 * did not have exactly its expected next hops (RIB and FIB).
 */
export function watchRoutes(ctx: ScenarioContext, expected: Record<string, string[]>): { stop(): Promise<string[]> } {
  const deviations: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [prefix, want] of Object.entries(expected)) {
        try {
          const { route, fib } = await readRoute(ctx, prefix);
          const rib = route?.nextHops ?? [];
          if (!sameList(rib, want) || (fib !== undefined && !sameList(fib, want))) deviations.push(`${prefix}: RIB ${rib.join(',') || 'none'} FIB ${fib?.join(',') || 'none'}`);
        } catch (error) {
          deviations.push(`${prefix}: could not read (${(error as Error).message})`);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return deviations;
    },
  };
}
