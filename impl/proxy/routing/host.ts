// Host names as Ingress rules see them (networking.k8s.io/v1 IngressRule.host):
// a rule host is precise ("foo.bar.com"), a wildcard of exactly one label
// ("*.bar.com"), or absent (every host). Request hosts compare case-insensitively
// without their port.
import { isIP } from 'node:net';

export type RuleHost =
  | { kind: 'exact'; name: string }
  | { kind: 'wildcard'; /** what follows "*.", e.g. "bar.com" */ suffix: string }
  | { kind: 'any' };

/** Classifies a rule's host; undefined/"" means every host. */
export function parseRuleHost(host: string | undefined): RuleHost {
  if (!host) return { kind: 'any' };
  const name = normalizeHostName(host);
  if (name.startsWith('*.')) return { kind: 'wildcard', suffix: name.slice(2) };
  return { kind: 'exact', name };
}

/**
 * The host a request names, ready for matching: lower-case, port and a
 * trailing dot removed. "[::1]:8080" keeps its brackets. undefined → "".
 */
export function requestHostName(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  let host = hostHeader.trim();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    host = end >= 0 ? host.slice(0, end + 1) : host;
  } else {
    const colon = host.lastIndexOf(':');
    // only strip ":digits" so that a bare IPv6 literal is left alone
    if (colon >= 0 && host.indexOf(':') === colon) host = host.slice(0, colon);
  }
  return normalizeHostName(host);
}

/** "10.1.2.3" or "[2001:db8::1]" (a request host as requestHostName gives it); a bare IPv6 literal too. */
export function isIpLiteral(name: string): boolean {
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  return isIP(bare) !== 0;
}

export function normalizeHostName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * The wildcard suffix a request host could match: "bar.foo.com" → "foo.com"
 * (matched by "*.foo.com"). A host of one label has none: "*.foo.com" never
 * matches "foo.com", and the first label must not be empty.
 */
export function wildcardSuffixOf(host: string): string | undefined {
  const dot = host.indexOf('.');
  if (dot <= 0 || dot === host.length - 1) return undefined;
  return host.slice(dot + 1);
}

/** Does a rule host accept a (normalized) request host? */
export function ruleHostMatches(rule: RuleHost, host: string): boolean {
  switch (rule.kind) {
    case 'any':
      return true;
    case 'exact':
      return rule.name === host;
    case 'wildcard':
      return wildcardSuffixOf(host) === rule.suffix;
  }
}
