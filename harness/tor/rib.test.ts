// The JSON shapes below were captured from gobgp 3.10 and iproute2 in a TOR namespace.
import { describe, expect, it } from 'vitest';
import { parseFib, parseMonitorLine, parseNeighbors, parseRib } from './rib.ts';
import { compareAddresses } from '../../lib/net/index.ts';

const path = (nextHop: string, extra: object[] = [], best = false, neighbor = nextHop) => ({
  nlri: { prefix: '198.19.0.10/32' }, age: 1795673446, best,
  attrs: [{ type: 1, value: 2 }, { type: 2, as_paths: [] }, { type: 3, nexthop: nextHop }, ...extra],
  stale: false, 'source-id': neighbor, 'neighbor-ip': neighbor,
});
const internal = () => true;

describe('parseRib', () => {
  it('reads every attribute of a path', () => {
    const json = JSON.stringify({ '198.19.0.10/32': [path('198.18.0.11', [{ type: 5, value: 200 }, { type: 8, communities: [4227858433] }, { type: 4, metric: 5 }], true)] });
    expect(parseRib(json, internal)).toEqual([{
      prefix: '198.19.0.10/32', nextHops: ['198.18.0.11'],
      paths: [{ nextHop: '198.18.0.11', asPath: [], localPref: 200, med: 5, communities: ['64512:1'], origin: 'incomplete', neighbor: '198.18.0.11', best: true }],
    }]);
  });

  it('AS_PATH of an eBGP path is flattened', () => {
    const ebgp = { ...path('198.18.0.11', [], true), attrs: [{ type: 1, value: 2 }, { type: 2, as_paths: [{ segment_type: 2, num: 1, asns: [64513] }] }, { type: 3, nexthop: '198.18.0.11' }] };
    const json = JSON.stringify({ '198.19.0.10/32': [ebgp] });
    expect(parseRib(json, () => false)[0].paths[0].asPath).toEqual([64513]);
  });

  it('equal-cost paths share the route; a worse LOCAL_PREF is not a next hop', () => {
    const json = JSON.stringify({
      '198.19.0.10/32': [path('198.18.0.12', [{ type: 5, value: 100 }], true), path('198.18.0.11', [{ type: 5, value: 100 }])],
      '198.19.0.12/32': [path('198.18.0.11', [{ type: 5, value: 200 }], true), path('198.18.0.12', [{ type: 5, value: 100 }])],
    });
    const routes = parseRib(json, internal);
    expect(routes.map((r) => [r.prefix, r.nextHops])).toEqual([
      ['198.19.0.10/32', ['198.18.0.11', '198.18.0.12']],
      ['198.19.0.12/32', ['198.18.0.11']],
    ]);
  });

  it('an iBGP and an eBGP path are not equal cost', () => {
    const json = JSON.stringify({ '198.19.0.10/32': [path('198.18.0.11', [], true), path('198.18.0.12')] });
    expect(parseRib(json, (n) => n === '198.18.0.12')[0].nextHops).toEqual(['198.18.0.11']);
  });

  it('an empty table is {}', () => {
    expect(parseRib('{}', internal)).toEqual([]);
  });
});

describe('parseNeighbors', () => {
  it('reads dynamic peers from state.neighbor_address and the integer session state', () => {
    const json = JSON.stringify([{
      conf: { local_asn: 64512, peer_asn: 64512, peer_group: 'nodes' },
      state: { neighbor_address: '198.18.0.11', peer_asn: 64512, session_state: 6 },
      timers: { state: { uptime: { seconds: 1000 } } },
    }, { conf: { neighbor_address: '198.18.0.20', peer_asn: 65000 }, state: { session_state: 3 } }]);
    expect(parseNeighbors(json, 1030)).toEqual([
      { address: '198.18.0.11', asn: 64512, state: 'established', uptimeSec: 30 },
      { address: '198.18.0.20', asn: 65000, state: 'active' },
    ]);
  });
});

describe('parseFib', () => {
  it('reads single and multipath routes of `ip -j route`', () => {
    const json = '[{"dst":"198.19.0.10","flags":[],"nexthops":[{"gateway":"198.18.0.12","dev":"fabric","weight":1,"flags":[]},{"gateway":"198.18.0.11","dev":"fabric","weight":1,"flags":[]}]},{"dst":"198.19.0.11","gateway":"198.18.0.11","dev":"fabric","flags":[]},{"dst":"198.19.1.0/24","gateway":"198.18.0.13","dev":"fabric","flags":[]}]';
    expect([...parseFib(json)]).toEqual([
      ['198.19.0.10/32', ['198.18.0.11', '198.18.0.12']],
      ['198.19.0.11/32', ['198.18.0.11']],
      ['198.19.1.0/24', ['198.18.0.13']],
    ]);
  });
});

describe('parseMonitorLine', () => {
  it('a line is the new equal-cost set of each prefix in it', () => {
    const other = { ...path('198.18.0.11'), nlri: { prefix: '198.19.0.20/32' } };
    const line = JSON.stringify([path('198.18.0.12'), path('198.18.0.11'), other]);
    expect([...parseMonitorLine(line)]).toEqual([['198.19.0.10/32', ['198.18.0.11', '198.18.0.12']], ['198.19.0.20/32', ['198.18.0.11']]]);
  });
  it('the last path leaving carries withdrawal: true', () => {
    expect([...parseMonitorLine(JSON.stringify([{ ...path('198.18.0.12'), withdrawal: true }]))]).toEqual([['198.19.0.10/32', null]]);
  });
  it('an empty table is []', () => {
    expect(parseMonitorLine('[]').size).toBe(0);
  });
  it('garbage is an error', () => {
    expect(() => parseMonitorLine('{"a":1}')).toThrow(/not a JSON array/);
  });
});

it('compareAddresses orders numerically', () => {
  expect(['198.18.0.12', '198.18.0.2', '10.0.0.1'].sort(compareAddresses)).toEqual(['10.0.0.1', '198.18.0.2', '198.18.0.12']);
});
