// Picks the endpoint for each request. Its state (rotation positions and
// in-flight counts) outlives routing snapshots, so a configuration reload
// does not restart every backend's rotation at its first pod.
import type { Endpoint } from './endpoints.ts';

export type BalancePolicy = 'round-robin' | 'least-request';
export const BALANCE_POLICIES: readonly BalancePolicy[] = ['round-robin', 'least-request'];

export class Balancer {
  readonly policy: BalancePolicy;
  readonly #next = new Map<string, number>();
  readonly #inFlight = new Map<string, number>();
  /** Endpoints that just refused a connection: passed over until then (ms since epoch). */
  readonly #ejectedUntil = new Map<string, number>();

  constructor(policy: BalancePolicy) {
    this.policy = policy;
  }

  /**
   * One endpoint of `endpoints` not in `exclude` (endpoints that already
   * failed this request), or undefined when none is left.
   *  - round-robin: in turn.
   *  - least-request: fewest requests in flight; ties in turn.
   */
  pick(backendKey: string, endpoints: readonly Endpoint[], exclude?: ReadonlySet<string>): Endpoint | undefined {
    if (this.#ejectedUntil.size > 0) {
      const now = Date.now();
      for (const [key, until] of this.#ejectedUntil) if (until <= now) this.#ejectedUntil.delete(key);
      if (this.#ejectedUntil.size > 0) {
        // Ejected endpoints are skipped while any other is left; when all are ejected, ejection is ignored.
        const skip = new Set([...(exclude ?? []), ...this.#ejectedUntil.keys()]);
        return this.#pick(backendKey, endpoints, skip) ?? this.#pick(backendKey, endpoints, exclude);
      }
    }
    return this.#pick(backendKey, endpoints, exclude);
  }

  /** Passes over an endpoint for `ms` (after it refused a connection), so that one dead pod does not cost every request a retry. */
  eject(endpoint: Endpoint, ms: number): void {
    this.#ejectedUntil.set(endpoint.key, Date.now() + ms);
  }

  #pick(backendKey: string, endpoints: readonly Endpoint[], exclude: ReadonlySet<string> | undefined): Endpoint | undefined {
    const n = endpoints.length;
    if (n === 0) return undefined;
    const start = this.#next.get(backendKey) ?? 0;
    let best: Endpoint | undefined;
    let bestIndex = 0;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (let step = 0; step < n; step++) {
      const index = (start + step) % n;
      const candidate = endpoints[index];
      if (exclude?.has(candidate.key)) continue;
      if (this.policy === 'round-robin') {
        best = candidate;
        bestIndex = index;
        break;
      }
      const load = this.#inFlight.get(candidate.key) ?? 0;
      if (load < bestLoad) {
        best = candidate;
        bestIndex = index;
        bestLoad = load;
        if (load === 0) break;
      }
    }
    if (best) this.#next.set(backendKey, (bestIndex + 1) % n);
    return best;
  }

  /** Counts a request against an endpoint until the returned release is called (once). */
  begin(endpoint: Endpoint): () => void {
    this.#inFlight.set(endpoint.key, (this.#inFlight.get(endpoint.key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#inFlight.get(endpoint.key) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(endpoint.key);
      else this.#inFlight.set(endpoint.key, left);
    };
  }

  inFlight(endpoint: Endpoint): number {
    return this.#inFlight.get(endpoint.key) ?? 0;
  }
}
