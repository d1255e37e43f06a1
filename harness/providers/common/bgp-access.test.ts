import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BgpAccessError, bgpAccessYaml, loadBgpAccess, validateBgpAccess } from './bgp-access.ts';
import { localBgpAccess } from '../local/bgp-access.ts';
import { planTopology, torLinkOf } from '../local/topology.ts';

const TOR = { netns: 'vc-tor', apiPort: 50051, address: '198.18.0.1', asn: 64512, peerAsn: 64513, programsFib: true };
const refused = (value: unknown) => {
  try {
    validateBgpAccess(value, 'access.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(BgpAccessError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('BGP access file', () => {
  it('accepts a TOR alone, and a full local environment as `vipcheck up` writes it', () => {
    expect(validateBgpAccess({ tor: TOR }, 'access.yaml')).toEqual({ tor: TOR });
    const local = localBgpAccess(planTopology(3), '/tmp/vc-env');
    const written = bgpAccessYaml(local, 'a header\nof two lines');
    expect(written.startsWith('# a header\n# of two lines\n')).toBe(true);
    expect(validateBgpAccess(parse(written), 'bgp-access.yaml')).toEqual(local);
    const plan = planTopology(3);
    expect(local.nodeLinks['vc-node-2']).toEqual({ netns: 'vc-tor', link: torLinkOf(plan.nodes[1]) });
    expect(local.ibgpNodes.length).toBeGreaterThan(0);
  });

  it('refuses what would send the scenarios to the wrong place, naming the field', () => {
    expect(refused([])).toBe('access.yaml: (top): expected a map with at least "tor"');
    expect(refused({ tor: TOR, routers: [] })).toBe('access.yaml: routers: unknown field (known: tor, ibgpRouter, ibgpNodes, nodeLinks)');
    expect(refused({})).toMatch(/^access\.yaml: tor: expected a map/);
    expect(refused({ tor: { ...TOR, container: 'vc-tor' } })).toMatch(/^access\.yaml: tor: give exactly one of "netns" .* or "container"/);
    const { netns: _, ...noPlace } = TOR;
    expect(refused({ tor: noPlace })).toMatch(/^access\.yaml: tor: give exactly one of/);
    expect(refused({ tor: { ...TOR, apiPort: 70000 } })).toBe('access.yaml: tor.apiPort: must be an integer from 1 to 65535, got 70000');
    expect(refused({ tor: { ...TOR, asn: '64512' } })).toBe('access.yaml: tor.asn: must be an integer from 1 to 4294967295, got "64512"');
    expect(refused({ tor: { ...TOR, address: 'tor.example' } })).toBe('access.yaml: tor.address: must be the router\'s IPv4 address, got "tor.example"');
    expect(refused({ tor: { ...TOR, programsFib: 'yes' } })).toMatch(/^access\.yaml: tor\.programsFib: must be true/);
    expect(refused({ tor: { ...TOR, hold: 3 } })).toMatch(/^access\.yaml: tor\.hold: unknown field/);
    expect(refused({ tor: TOR, ibgpNodes: ['vc-node-1'] })).toBe('access.yaml: ibgpNodes: needs "ibgpRouter": the router those nodes peer with');
    expect(refused({ tor: TOR, nodeLinks: { 'vc-node-1': { netns: 'vc-tor' } } })).toMatch(/^access\.yaml: nodeLinks\.vc-node-1: must be \{netns, link\}/);
  });

  it('says which file could not be read or parsed', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-test-bgp-access-'));
    try {
      expect(() => loadBgpAccess(path.join(dir, 'missing.yaml'))).toThrow(/^--bgp-access: cannot read .*missing\.yaml: ENOENT/);
      writeFileSync(path.join(dir, 'bad.yaml'), 'tor: [unclosed');
      expect(() => loadBgpAccess(path.join(dir, 'bad.yaml'))).toThrow(/bad\.yaml: not valid YAML: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
