import type { V1Ingress, V1Namespace } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { IngressPrecedence } from './order.ts';
import { RoutingTable, type Route } from './table.ts';

interface PathSpec {
  path?: string;
  type: string;
  service: string;
  port?: string | number;
}

function ingress(name: string, options: {
  namespace?: string;
  created?: string;
  deleted?: string;
  rules?: { host?: string; paths: PathSpec[] }[];
  defaultService?: string;
}): V1Ingress {
  return {
    metadata: {
      name, namespace: options.namespace ?? 'default', creationTimestamp: new Date(options.created ?? '2026-01-01T00:00:00Z'),
      deletionTimestamp: options.deleted ? new Date(options.deleted) : undefined,
    },
    spec: {
      defaultBackend: options.defaultService ? { service: { name: options.defaultService, port: { number: 80 } } } : undefined,
      rules: options.rules?.map((rule) => ({
        host: rule.host,
        http: {
          paths: rule.paths.map((p) => ({
            path: p.path,
            pathType: p.type,
            backend: { service: { name: p.service, port: typeof p.port === 'string' ? { name: p.port } : { number: p.port ?? 80 } } },
          })),
        },
      })),
    },
  };
}

/** Which service a request reaches, or null for "no route" (404). */
function reach(table: RoutingTable, host: string | undefined, path: string): string | null {
  const route = table.match(host, path);
  if (!route) return null;
  return route.backend.kind === 'service' ? route.backend.ref.service : `unsupported`;
}

function onePathTable(paths: { path: string; type: string }[]): RoutingTable {
  return RoutingTable.build([ingress('docs', { rules: [{ paths: paths.map((p, i) => ({ ...p, service: `svc-${p.type}-${p.path}-${i}` })) }] })]);
}

// The "Examples" table of https://kubernetes.io/docs/concepts/services-networking/ingress/#examples,
// row by row: rule paths, request path, whether it matches, and which rule wins.
const docsTable: { rules: { path: string; type: string }[]; request: string; matches: boolean; winner?: string }[] = [
  { rules: [{ path: '/', type: 'Prefix' }], request: '/', matches: true },
  { rules: [{ path: '/', type: 'Prefix' }], request: '/anything/at/all', matches: true },
  { rules: [{ path: '/foo', type: 'Exact' }], request: '/foo', matches: true },
  { rules: [{ path: '/foo', type: 'Exact' }], request: '/bar', matches: false },
  { rules: [{ path: '/foo', type: 'Exact' }], request: '/foo/', matches: false },
  { rules: [{ path: '/foo/', type: 'Exact' }], request: '/foo', matches: false },
  { rules: [{ path: '/foo', type: 'Prefix' }], request: '/foo', matches: true },
  { rules: [{ path: '/foo', type: 'Prefix' }], request: '/foo/', matches: true },
  { rules: [{ path: '/foo/', type: 'Prefix' }], request: '/foo', matches: true },
  { rules: [{ path: '/foo/', type: 'Prefix' }], request: '/foo/', matches: true },
  { rules: [{ path: '/aaa/bb', type: 'Prefix' }], request: '/aaa/bbb', matches: false },
  { rules: [{ path: '/aaa/bbb', type: 'Prefix' }], request: '/aaa/bbb', matches: true },
  { rules: [{ path: '/aaa/bbb/', type: 'Prefix' }], request: '/aaa/bbb', matches: true },
  { rules: [{ path: '/aaa/bbb', type: 'Prefix' }], request: '/aaa/bbb/', matches: true },
  { rules: [{ path: '/aaa/bbb', type: 'Prefix' }], request: '/aaa/bbb/ccc', matches: true },
  { rules: [{ path: '/aaa/bbb', type: 'Prefix' }], request: '/aaa/bbbxyz', matches: false },
  { rules: [{ path: '/', type: 'Prefix' }, { path: '/aaa', type: 'Prefix' }], request: '/aaa/ccc', matches: true, winner: '/aaa' },
  { rules: [{ path: '/', type: 'Prefix' }, { path: '/aaa', type: 'Prefix' }, { path: '/aaa/bbb', type: 'Prefix' }], request: '/aaa/bbb', matches: true, winner: '/aaa/bbb' },
  { rules: [{ path: '/', type: 'Prefix' }, { path: '/aaa', type: 'Prefix' }, { path: '/aaa/bbb', type: 'Prefix' }], request: '/ccc', matches: true, winner: '/' },
  { rules: [{ path: '/aaa', type: 'Prefix' }], request: '/ccc', matches: false },
  { rules: [{ path: '/foo', type: 'Prefix' }, { path: '/foo', type: 'Exact' }], request: '/foo', matches: true, winner: 'Exact' },
];

describe('RoutingTable: the Kubernetes docs matching table', () => {
  for (const row of docsTable) {
    const rules = row.rules.map((r) => `${r.type} ${r.path}`).join(', ');
    it(`${rules} ← ${row.request}: ${row.matches ? `matches${row.winner ? ` (${row.winner} wins)` : ''}` : 'no match'}`, () => {
      const route = onePathTable(row.rules).match('any.example', row.request);
      if (!row.matches) return expect(route).toBeUndefined();
      expect(route).toBeDefined();
      if (row.winner === 'Exact') expect(route!.pathType).toBe('Exact');
      else if (row.winner) expect(route!.path).toBe(row.winner);
    });
  }

  it('is case-sensitive for Exact and Prefix', () => {
    const table = onePathTable([{ path: '/foo', type: 'Exact' }, { path: '/Bar', type: 'Prefix' }]);
    expect(table.match(undefined, '/FOO')).toBeUndefined();
    expect(table.match(undefined, '/bar')).toBeUndefined();
    expect(table.match(undefined, '/Bar/x')?.path).toBe('/Bar');
  });

  it('ignores the query string and keeps internal empty elements as elements', () => {
    const table = onePathTable([{ path: '/foo', type: 'Exact' }, { path: '/a/b', type: 'Prefix' }]);
    expect(table.match(undefined, '/foo?x=1')?.path).toBe('/foo');
    expect(table.match(undefined, '/a/b/c?d=/e')?.path).toBe('/a/b');
    expect(table.match(undefined, '/a//b')).toBeUndefined();
  });

  it('treats ImplementationSpecific as Prefix, and an empty ImplementationSpecific path as "/"', () => {
    const table = onePathTable([{ path: '/impl', type: 'ImplementationSpecific' }]);
    expect(table.match(undefined, '/impl/x')?.path).toBe('/impl');
    expect(table.match(undefined, '/implx')).toBeUndefined();
    const catchAll = RoutingTable.build([ingress('i', { rules: [{ paths: [{ type: 'ImplementationSpecific', service: 's' }] }] })]);
    expect(reach(catchAll, 'h', '/whatever')).toBe('s');
  });

  it('prefers the longest path, then Exact over Prefix', () => {
    const table = RoutingTable.build([ingress('i', {
      rules: [{ paths: [
        { path: '/', type: 'Prefix', service: 'root' },
        { path: '/a', type: 'Prefix', service: 'a' },
        { path: '/a/b', type: 'Prefix', service: 'ab' },
        { path: '/a/b', type: 'Exact', service: 'ab-exact' },
        { path: '/a/b/', type: 'Exact', service: 'ab-slash-exact' },
      ] }],
    })]);
    expect(reach(table, 'h', '/a/b')).toBe('ab-exact');
    expect(reach(table, 'h', '/a/b/')).toBe('ab-slash-exact');
    expect(reach(table, 'h', '/a/b/c')).toBe('ab');
    expect(reach(table, 'h', '/a/bc')).toBe('a');
    expect(reach(table, 'h', '/z')).toBe('root');
  });
});

describe('RoutingTable: hosts', () => {
  const table = RoutingTable.build([
    ingress('hosts', {
      rules: [
        { host: 'foo.bar.com', paths: [{ path: '/', type: 'Prefix', service: 'exact' }] },
        { host: '*.foo.com', paths: [{ path: '/', type: 'Prefix', service: 'wild' }] },
      ],
    }),
  ]);

  it('matches a precise host case-insensitively and without its port', () => {
    expect(reach(table, 'foo.bar.com', '/')).toBe('exact');
    expect(reach(table, 'FOO.Bar.COM:8080', '/x')).toBe('exact');
    expect(reach(table, 'foo.bar.com.', '/x')).toBe('exact');
    expect(reach(table, 'subdomain.bar.com', '/')).toBeNull();
    expect(reach(table, 'bar.com', '/')).toBeNull();
    expect(reach(table, undefined, '/')).toBeNull();
  });

  it('matches a wildcard host on exactly one extra label', () => {
    expect(reach(table, 'bar.foo.com', '/')).toBe('wild');
    expect(reach(table, 'BAR.foo.com:443', '/')).toBe('wild');
    expect(reach(table, 'baz.bar.foo.com', '/')).toBeNull();
    expect(reach(table, 'foo.com', '/')).toBeNull();
    expect(reach(table, '.foo.com', '/')).toBeNull();
  });

  it('tries precise host, then wildcard, then host-less rules, then the default backend', () => {
    const layered = RoutingTable.build([
      ingress('layers', {
        defaultService: 'default',
        rules: [
          { host: 'a.foo.com', paths: [{ path: '/exact-only', type: 'Prefix', service: 'precise' }] },
          { host: '*.foo.com', paths: [{ path: '/wild-only', type: 'Prefix', service: 'wildcard' }, { path: '/exact-only', type: 'Prefix', service: 'wildcard-shadowed' }] },
          { paths: [{ path: '/any', type: 'Prefix', service: 'hostless' }, { path: '/exact-only/deeper', type: 'Prefix', service: 'hostless-deeper' }] },
        ],
      }),
    ]);
    expect(reach(layered, 'a.foo.com', '/exact-only')).toBe('precise');
    // host specificity comes before path length
    expect(reach(layered, 'a.foo.com', '/exact-only/deeper')).toBe('precise');
    expect(reach(layered, 'a.foo.com', '/wild-only')).toBe('wildcard');
    expect(reach(layered, 'b.foo.com', '/exact-only')).toBe('wildcard-shadowed');
    expect(reach(layered, 'a.foo.com', '/any/x')).toBe('hostless');
    expect(reach(layered, 'a.foo.com', '/nothing')).toBe('default');
    expect(reach(layered, 'other.example', '/exact-only/deeper/x')).toBe('hostless-deeper');
  });

  it('serves an Ingress with only a default backend for every host, method-independent', () => {
    const only = RoutingTable.build([ingress('only-default', { defaultService: 'fallback' })]);
    expect(reach(only, undefined, '/')).toBe('fallback');
    expect(reach(only, 'x.y', '/a/b?c')).toBe('fallback');
    expect(only.match('x', '*')?.pathType).toBe('DefaultBackend');
  });
});

describe('RoutingTable: several Ingresses', () => {
  it('merges rules of different Ingresses for the same host', () => {
    const table = RoutingTable.build([
      ingress('one', { rules: [{ host: 'shop.example', paths: [{ path: '/cart', type: 'Prefix', service: 'cart' }] }] }),
      ingress('two', { namespace: 'other', rules: [{ host: 'shop.example', paths: [{ path: '/pay', type: 'Prefix', service: 'pay' }] }] }),
    ]);
    expect(reach(table, 'shop.example', '/cart/1')).toBe('cart');
    expect(reach(table, 'shop.example', '/pay')).toBe('pay');
    expect(table.match('shop.example', '/pay')?.ingress).toEqual({ namespace: 'other', name: 'two' });
    expect(table.issues).toEqual([]);
  });

  it('gives a true conflict to the oldest Ingress, then namespace/name order, and reports the loser', () => {
    const rule = (service: string) => [{ host: 'h.example', paths: [{ path: '/x', type: 'Prefix', service }] }];
    const table = RoutingTable.build([
      ingress('newer', { created: '2026-03-01T00:00:00Z', rules: rule('from-newer') }),
      ingress('older', { created: '2026-02-01T00:00:00Z', rules: rule('from-older') }),
    ]);
    expect(reach(table, 'h.example', '/x')).toBe('from-older');
    expect(table.issues).toHaveLength(1);
    expect(table.issues[0]).toMatchObject({ ingress: { name: 'newer' }, kind: 'conflict' });
    expect(table.issues[0].message).toContain('default/older');

    const sameAge = RoutingTable.build([
      ingress('b', { namespace: 'ns2', rules: rule('ns2-b') }),
      ingress('z', { namespace: 'ns1', rules: rule('ns1-z') }),
      ingress('a', { namespace: 'ns2', rules: rule('ns2-a') }),
    ]);
    expect(reach(sameAge, 'h.example', '/x')).toBe('ns1-z');
    // "/x/" is the same Prefix rule as "/x"
    const trailing = RoutingTable.build([
      ingress('first', { created: '2026-01-01T00:00:00Z', rules: rule('first') }),
      ingress('second', { created: '2026-01-02T00:00:00Z', rules: [{ host: 'h.example', paths: [{ path: '/x/', type: 'Prefix', service: 'second' }] }] }),
    ]);
    expect(reach(trailing, 'h.example', '/x/')).toBe('first');
  });

  it('keeps an Exact and a Prefix rule on the same path from two Ingresses: no conflict', () => {
    const table = RoutingTable.build([
      ingress('p', { rules: [{ host: 'h', paths: [{ path: '/x', type: 'Prefix', service: 'prefix' }] }] }),
      ingress('e', { rules: [{ host: 'h', paths: [{ path: '/x', type: 'Exact', service: 'exact' }] }] }),
    ]);
    expect(reach(table, 'h', '/x')).toBe('exact');
    expect(reach(table, 'h', '/x/y')).toBe('prefix');
    expect(table.issues).toEqual([]);
  });

  it('uses the oldest defaultBackend when several Ingresses have one', () => {
    const table = RoutingTable.build([
      ingress('young', { created: '2026-05-01T00:00:00Z', defaultService: 'young-default' }),
      ingress('old', { created: '2026-04-01T00:00:00Z', defaultService: 'old-default' }),
    ]);
    expect(reach(table, 'x', '/')).toBe('old-default');
    expect(table.issues.map((i) => i.ingress.name)).toEqual(['young']);
  });

  it('returns nothing (404) when no rule and no default backend match', () => {
    const table = RoutingTable.build([ingress('i', { rules: [{ host: 'h', paths: [{ path: '/a', type: 'Exact', service: 's' }] }] })]);
    expect(table.match('h', '/b')).toBeUndefined();
    expect(table.match('other', '/a')).toBeUndefined();
  });
});

describe('RoutingTable: the default backend election', () => {
  const namespace = (name: string, terminating = false): V1Namespace => ({
    metadata: { name, deletionTimestamp: terminating ? new Date('2026-06-01T00:00:10Z') : undefined },
  });
  const stale = ingress('catch-all', { namespace: 'vc-case-1', created: '2026-06-01T00:00:00Z', defaultService: 'old' });
  const fresh = ingress('catch-all', { namespace: 'vc-case-2', created: '2026-06-01T00:00:12Z', defaultService: 'new' });
  const build = (ingresses: V1Ingress[], namespaces: V1Namespace[]) => RoutingTable.build(ingresses, new IngressPrecedence(namespaces));

  it('keeps the older one while both namespaces live, and reports the newer one', () => {
    const table = build([fresh, stale], [namespace('vc-case-1'), namespace('vc-case-2')]);
    expect(reach(table, 'any.example', '/')).toBe('old');
    expect(table.issues).toEqual([{ ingress: { namespace: 'vc-case-2', name: 'catch-all' }, kind: 'conflict', message: expect.stringContaining('vc-case-1/catch-all, which is older') }]);
  });

  it('gives it to the newer one once the older one\'s namespace is being deleted', () => {
    const table = build([stale, fresh], [namespace('vc-case-1', true), namespace('vc-case-2')]);
    expect(reach(table, 'any.example', '/')).toBe('new');
    expect(table.defaultRoute?.ingress).toEqual({ namespace: 'vc-case-2', name: 'catch-all' });
    expect(table.issues).toHaveLength(1);
    expect(table.issues[0]).toMatchObject({ ingress: { namespace: 'vc-case-1' }, kind: 'conflict' });
    expect(table.issues[0].message).toContain('its namespace vc-case-1 is being deleted');
  });

  it('gives it to the newer one when the older Ingress itself is being deleted (a finalizer holds it)', () => {
    const held = { ...stale, metadata: { ...stale.metadata, deletionTimestamp: new Date('2026-06-01T00:00:10Z') } };
    expect(reach(build([held, fresh], []), 'x', '/')).toBe('new');
    expect(build([held, fresh], []).issues[0].message).toContain('it is being deleted');
  });

  it('still serves a terminating one when it is the only one', () => {
    expect(reach(build([stale], [namespace('vc-case-1', true)]), 'x', '/')).toBe('old');
  });

  it('orders two terminating ones by age, like two live ones', () => {
    const table = build([fresh, stale], [namespace('vc-case-1', true), namespace('vc-case-2', true)]);
    expect(reach(table, 'x', '/')).toBe('old');
  });

  it('hands it back to the older one when the newer one is deleted', () => {
    const namespaces = [namespace('vc-case-1'), namespace('vc-case-2')];
    const newest = ingress('catch-all', { namespace: 'vc-case-3', created: '2026-06-01T00:00:20Z', defaultService: 'newest' });
    expect(reach(build([stale, fresh, newest], namespaces), 'x', '/')).toBe('old');
    // the winner goes away: the next in precedence takes over, nothing is remembered
    expect(reach(build([fresh, newest], namespaces), 'x', '/')).toBe('new');
    expect(reach(build([newest], namespaces), 'x', '/')).toBe('newest');
    expect(reach(build([stale, newest], [namespace('vc-case-1', true)]), 'x', '/')).toBe('newest');
  });

  it('breaks a tie in creation time by namespace, then name', () => {
    const same = '2026-06-01T00:00:00Z';
    const table = build([
      ingress('b', { namespace: 'ns-b', created: same, defaultService: 'ns-b-b' }),
      ingress('z', { namespace: 'ns-a', created: same, defaultService: 'ns-a-z' }),
      ingress('a', { namespace: 'ns-b', created: same, defaultService: 'ns-b-a' }),
    ], []);
    expect(reach(table, 'x', '/')).toBe('ns-a-z');
    expect(table.issues.map((i) => `${i.ingress.namespace}/${i.ingress.name}`)).toEqual(['ns-b/a', 'ns-b/b']);
    expect(table.issues[0].message).toContain('ns-a/z, created at the same time and first by namespace/name');
    const sameNamespace = build([ingress('b', { created: same, defaultService: 'b' }), ingress('a', { created: same, defaultService: 'a' })], []);
    expect(reach(sameNamespace, 'x', '/')).toBe('a');
  });

  it('applies the same rule to two rules claiming one host and path', () => {
    const rule = (service: string) => [{ host: 'h.example', paths: [{ path: '/', type: 'Prefix', service }] }];
    const old = ingress('app', { namespace: 'vc-case-1', created: '2026-06-01T00:00:00Z', rules: rule('old') });
    const young = ingress('app', { namespace: 'vc-case-2', created: '2026-06-01T00:00:12Z', rules: rule('new') });
    expect(reach(build([old, young], []), 'h.example', '/')).toBe('old');
    expect(reach(build([old, young], [namespace('vc-case-1', true)]), 'h.example', '/')).toBe('new');
  });
});

describe('RoutingTable: requests no rule and no default backend matches (404)', () => {
  const table = RoutingTable.build([ingress('i', { rules: [
    { host: 'h.example', paths: [{ path: '/', type: 'Prefix', service: 'named' }] },
    { host: '*.example', paths: [{ path: '/', type: 'Prefix', service: 'wild' }] },
    { paths: [{ path: '/hostless', type: 'Exact', service: 'hostless' }] },
  ] })]);

  it.each([
    ['no Host', undefined], ['an unknown name', 'other.test'], ['an IPv4 literal', '198.18.0.10'], ['an IPv4 literal with port', '198.18.0.10:80'],
    ['an IPv6 literal', '[2001:db8::10]'], ['an IPv6 literal with port', '[2001:db8::10]:8080'], ['an empty Host', ''],
  ])('with %s: host-less rules apply, everything else is unmatched', (_, host) => {
    expect(reach(table, host, '/hostless')).toBe('hostless');
    expect(table.match(host, '/')).toBeUndefined();
    expect(table.match(host, '/hostless/x')).toBeUndefined();
  });

  it('never matches an IP literal against a wildcard or precise rule host', () => {
    const numeric = RoutingTable.build([ingress('n', { rules: [{ host: '*.0.0.10', paths: [{ path: '/', type: 'Prefix', service: 'wild' }] }] })]);
    expect(numeric.match('10.0.0.10', '/')).toBeUndefined();
    expect(reach(numeric, 'x.0.0.10', '/')).toBe('wild');
  });

  it('refuses an IP address as a rule host', () => {
    const table = RoutingTable.build([ingress('ip', { rules: [{ host: '198.18.0.10', paths: [{ path: '/', type: 'Prefix', service: 's' }] }] })]);
    expect(table.size).toBe(0);
    expect(table.issues[0].message).toContain('spec.rules[0].host "198.18.0.10": a host must be a DNS name, not an IP address');
  });

  it('matches an IP literal to the default backend when there is one', () => {
    const withDefault = RoutingTable.build([ingress('d', { defaultService: 'fallback', rules: [{ host: 'h.example', paths: [{ path: '/', type: 'Prefix', service: 'named' }] }] })]);
    expect(reach(withDefault, '198.18.0.10', '/x')).toBe('fallback');
    expect(reach(withDefault, '[2001:db8::10]:80', '/x')).toBe('fallback');
  });
});

describe('RoutingTable: backends and bad input', () => {
  it('keeps port names and numbers apart', () => {
    const table = RoutingTable.build([ingress('i', { rules: [{ paths: [
      { path: '/by-name', type: 'Exact', service: 's', port: 'http' },
      { path: '/by-number', type: 'Exact', service: 's', port: 8080 },
    ] }] })]);
    const byName = table.match(undefined, '/by-name') as Route;
    const byNumber = table.match(undefined, '/by-number') as Route;
    expect(byName.backend).toEqual({ kind: 'service', ref: { namespace: 'default', service: 's', port: 'http' } });
    expect(byNumber.backend).toEqual({ kind: 'service', ref: { namespace: 'default', service: 's', port: 8080 } });
  });

  it('reports invalid paths, types, hosts and backends by field and ignores only them', () => {
    const bad: V1Ingress = {
      metadata: { name: 'bad', namespace: 'ns' },
      spec: {
        rules: [
          { host: 'foo.*.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } },
          { host: 'ok.example', http: { paths: [
            { path: 'relative', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } },
            { path: '/x', pathType: 'Regex', backend: { service: { name: 's', port: { number: 80 } } } },
            { path: '/y', pathType: 'Exact', backend: { service: { name: 's', port: {} } } },
            { path: '/z', pathType: 'Exact', backend: {} },
            { path: '/good', pathType: 'Exact', backend: { service: { name: 's', port: { number: 80 } } } },
            { path: '/res', pathType: 'Exact', backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'b' } } },
          ] } },
        ],
      },
    };
    const table = RoutingTable.build([bad]);
    expect(table.issues.map((i) => i.message)).toEqual([
      expect.stringContaining('spec.rules[0].host "foo.*.com"'),
      expect.stringContaining('spec.rules[1].http.paths[0].path "relative" must start with "/"'),
      expect.stringContaining('spec.rules[1].http.paths[1].pathType "Regex"'),
      expect.stringContaining('spec.rules[1].http.paths[2].backend.service.port needs a name or a number'),
      expect.stringContaining('spec.rules[1].http.paths[3].backend has neither service nor resource'),
    ]);
    expect(reach(table, 'ok.example', '/good')).toBe('s');
    expect(table.match('ok.example', '/res')?.backend).toMatchObject({ kind: 'unsupported', reason: expect.stringContaining('StorageBucket') });
    expect(table.size).toBe(2);
  });
});
