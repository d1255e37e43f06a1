// The routing table: every rule of every served Ingress, merged, answering
// "which backend serves this host and path".
//
// Matching, in this order (first hit wins):
//  1. rules whose host equals the request host (case-insensitive, port removed),
//  2. rules whose wildcard host matches it ("*.foo.com" ↔ exactly one more label),
//  3. rules without a host.
//  Within one of these groups the longest matching path wins, and Exact beats
//  Prefix on equal length (path.ts says how paths match). A group in which no
//  path matches is passed over: the next, less specific group is tried — a
//  host-less rule is a rule for every host, so a request it matches is not
//  "unmatched" in the sense of IngressSpec.defaultBackend.
//  4. the default backend (spec.defaultBackend), for requests no rule matches.
//  5. nothing: the caller answers 404.
//
// Rules of several Ingresses for the same host are merged. When two claim the
// same host + path + match kind (Exact, or Prefix/ImplementationSpecific on the
// same prefix key), the Ingress first in precedence wins (order.ts: one not
// being deleted, then the oldest); so does that Ingress's defaultBackend when
// several have one. The losers are reported as issues, never silently dropped.
import type { V1IngressBackend, V1Ingress } from '@kubernetes/client-node';
import { isIpLiteral, parseRuleHost, requestHostName, wildcardSuffixOf } from './host.ts';
import { IngressPrecedence, refOf, refText, type IngressRef } from './order.ts';
import { findByPrefix, pathOf, PATH_TYPES, prefixKey, type PathType } from './path.ts';

/** A Service port as an Ingress names it: by name (string) or by number. */
export interface ServiceBackendRef {
  namespace: string;
  service: string;
  port: string | number;
}

export type RouteBackend =
  | { kind: 'service'; ref: ServiceBackendRef }
  /** A backend we cannot proxy to (e.g. a `resource` backend): requests get 503 naming why. */
  | { kind: 'unsupported'; reason: string };

export interface Route {
  ingress: IngressRef;
  backend: RouteBackend;
  /** The rule's host as written; "" for a host-less rule or the default backend. */
  host: string;
  /** The rule's path as written; "" for the default backend. */
  path: string;
  pathType: PathType | 'DefaultBackend';
}

export interface RouteIssue {
  ingress: IngressRef;
  kind: 'invalid' | 'conflict';
  message: string;
}

/** The paths of one host group. */
class PathSet {
  readonly exact = new Map<string, Route>();
  readonly prefix = new Map<string, Route>();

  match(path: string): Route | undefined {
    return this.exact.get(path) ?? findByPrefix(path, (key) => this.prefix.get(key));
  }
}

export class RoutingTable {
  readonly #exactHosts = new Map<string, PathSet>();
  readonly #wildcardHosts = new Map<string, PathSet>();
  readonly #anyHost = new PathSet();
  #defaultRoute: Route | undefined;
  #routeCount = 0;
  readonly #issues: RouteIssue[] = [];
  readonly #precedence: IngressPrecedence;
  /** The Ingresses added so far by "namespace/name": a loser's message says why the winner won. */
  readonly #added = new Map<string, V1Ingress>();

  private constructor(precedence: IngressPrecedence) {
    this.#precedence = precedence;
  }

  /** Builds the table from the Ingresses this controller serves (class selection already done). */
  static build(ingresses: readonly V1Ingress[], precedence = new IngressPrecedence()): RoutingTable {
    const table = new RoutingTable(precedence);
    for (const ingress of precedence.order(ingresses)) table.#add(ingress);
    return table;
  }

  get defaultRoute(): Route | undefined {
    return this.#defaultRoute;
  }

  /** Rules that were refused (invalid) or lost a conflict, with the Ingress they came from. */
  get issues(): readonly RouteIssue[] {
    return this.#issues;
  }

  get size(): number {
    return this.#routeCount;
  }

  /**
   * The route for a request. `host` is the Host header as received (port and
   * case do not matter); `target` is the request target (a query is ignored).
   */
  match(host: string | undefined, target: string): Route | undefined {
    const path = pathOf(target);
    if (path.startsWith('/')) {
      const name = requestHostName(host);
      // An IP literal names no host: only host-less rules (and the default backend) apply to it.
      if (!isIpLiteral(name)) {
        const exact = this.#exactHosts.get(name)?.match(path);
        if (exact) return exact;
        const suffix = wildcardSuffixOf(name);
        const wildcard = suffix === undefined ? undefined : this.#wildcardHosts.get(suffix)?.match(path);
        if (wildcard) return wildcard;
      }
      const any = this.#anyHost.match(path);
      if (any) return any;
    }
    return this.#defaultRoute;
  }

  #add(ingress: V1Ingress): void {
    const ref = refOf(ingress);
    this.#added.set(refText(ref), ingress);
    const spec = ingress.spec ?? {};
    if (spec.defaultBackend) {
      const backend = this.#backend(ref, spec.defaultBackend, 'spec.defaultBackend');
      if (backend) {
        const route: Route = { ingress: ref, backend, host: '', path: '', pathType: 'DefaultBackend' };
        if (this.#defaultRoute) {
          this.#issue(ref, 'conflict', `spec.defaultBackend ignored: the default backend is that of ${this.#winner(this.#defaultRoute.ingress, ingress)}`);
        } else {
          this.#defaultRoute = route;
          this.#routeCount++;
        }
      }
    }
    (spec.rules ?? []).forEach((rule, r) => {
      const where = `spec.rules[${r}]`;
      const host = rule.host ?? '';
      const hostError = ruleHostError(host);
      if (hostError) return this.#issue(ref, 'invalid', `${where}.host "${host}": ${hostError}; rule ignored`);
      const parsed = parseRuleHost(host);
      const set = this.#pathSet(parsed);
      (rule.http?.paths ?? []).forEach((p, i) => {
        const at = `${where}.http.paths[${i}]`;
        const pathType = p.pathType as PathType;
        if (!PATH_TYPES.includes(pathType)) {
          return this.#issue(ref, 'invalid', `${at}.pathType "${p.pathType}" is not one of ${PATH_TYPES.join(', ')}; path ignored`);
        }
        const path = p.path || (pathType === 'ImplementationSpecific' ? '/' : '');
        if (!path.startsWith('/')) {
          return this.#issue(ref, 'invalid', `${at}.path "${p.path ?? ''}" must start with "/" for pathType ${pathType}; path ignored`);
        }
        const backend = this.#backend(ref, p.backend, `${at}.backend`);
        if (!backend) return;
        const route: Route = { ingress: ref, backend, host, path, pathType };
        const map = pathType === 'Exact' ? set.exact : set.prefix;
        const key = pathType === 'Exact' ? path : prefixKey(path);
        const existing = map.get(key);
        if (existing) {
          const same = existing.ingress.namespace === ref.namespace && existing.ingress.name === ref.name;
          return this.#issue(ref, 'conflict',
            `${at}: host "${host || '*any*'}" path "${path}" (${pathType}) is already served by ${same ? 'an earlier path of this Ingress' : this.#winner(existing.ingress, ingress)}; path ignored`);
        }
        map.set(key, route);
        this.#routeCount++;
      });
    });
  }

  #winner(winner: IngressRef, loser: V1Ingress): string {
    const ingress = this.#added.get(refText(winner));
    return ingress ? this.#precedence.explain(ingress, loser) : refText(winner);
  }

  #pathSet(host: ReturnType<typeof parseRuleHost>): PathSet {
    if (host.kind === 'any') return this.#anyHost;
    const [groups, key] = host.kind === 'exact' ? [this.#exactHosts, host.name] : [this.#wildcardHosts, host.suffix];
    let set = groups.get(key);
    if (!set) groups.set(key, (set = new PathSet()));
    return set;
  }

  #backend(ref: IngressRef, backend: V1IngressBackend | undefined, at: string): RouteBackend | undefined {
    if (backend?.service) {
      const { name, port } = backend.service;
      if (!name) return this.#issue(ref, 'invalid', `${at}.service.name is empty; ignored`);
      if (port?.name) return { kind: 'service', ref: { namespace: ref.namespace, service: name, port: port.name } };
      const number = port?.number;
      if (typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= 65535) {
        return { kind: 'service', ref: { namespace: ref.namespace, service: name, port: number } };
      }
      return this.#issue(ref, 'invalid', `${at}.service.port needs a name or a number in 1-65535, got ${JSON.stringify(port ?? null)}; ignored`);
    }
    if (backend?.resource) {
      const { apiGroup, kind, name } = backend.resource;
      return { kind: 'unsupported', reason: `${at} is a resource backend (${apiGroup ?? 'core'}/${kind} ${name}), which this controller does not proxy to` };
    }
    return this.#issue(ref, 'invalid', `${at} has neither service nor resource; ignored`);
  }

  #issue(ingress: IngressRef, kind: RouteIssue['kind'], message: string): undefined {
    this.#issues.push({ ingress, kind, message });
    return undefined;
  }
}

/** Why a rule host is unusable, or undefined when it is fine. The API server validates too; this guards hand-made state. */
function ruleHostError(host: string): string | undefined {
  if (host === '') return undefined;
  if (host.includes(':')) return 'a host must not carry a port or be an IP literal with colons';
  if (isIpLiteral(host)) return 'a host must be a DNS name, not an IP address';
  const body = host.startsWith('*.') ? host.slice(2) : host;
  if (body.includes('*')) return 'a wildcard must be "*." followed by a DNS name';
  if (body === '' || body.split('.').some((label) => label === '')) return 'empty DNS label';
  return undefined;
}
