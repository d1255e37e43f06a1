import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torConfigToml, writeTorConfig, type TorBgpConfig } from './config.ts';

const BASE: TorBgpConfig = {
  asn: 64512, routerId: '198.18.0.1', listenAddress: '198.18.0.1', dynamicNeighborPrefix: '198.18.0.0/24', peerAsn: 64513,
};

describe('torConfigToml', () => {
  it('has the global speaker, multipath and a dynamic-neighbor peer group', () => {
    const toml = torConfigToml({ ...BASE, holdTimeSec: 6 });
    expect(toml).toContain('[global.config]\n  as = 64512\n  router-id = "198.18.0.1"\n  port = 179\n  local-address-list = ["198.18.0.1"]');
    expect(toml).toContain('[global.use-multiple-paths.config]\n  enabled = true');
    expect(toml).toContain('peer-group-name = "vc-nodes"\n    peer-as = 64513');
    expect(toml).toContain('[peer-groups.timers.config]\n    hold-time = 6\n    keepalive-interval = 2');
    expect(toml).toContain('[dynamic-neighbors.config]\n    prefix = "198.18.0.0/24"\n    peer-group = "vc-nodes"');
    expect(toml).toContain('afi-safi-name = "ipv4-unicast"');
    expect(toml).not.toContain('[[neighbors]]');
  });

  it('leaves gobgpd default timers alone unless asked', () => {
    expect(torConfigToml(BASE)).not.toContain('timers');
  });

  it('adds passive static neighbors', () => {
    const toml = torConfigToml({ ...BASE, staticNeighbors: [{ address: '198.18.1.5', asn: 65001 }] });
    expect(toml).toContain('[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "198.18.1.5"\n    peer-as = 65001');
    expect(toml).toContain('passive-mode = true');
  });

  it.each([
    [{ asn: 0 }, /asn 0/],
    [{ routerId: '1.2.3' }, /routerId "1.2.3"/],
    [{ dynamicNeighborPrefix: '198.18.0.0' }, /dynamicNeighborPrefix "198.18.0.0"/],
    [{ holdTimeSec: 2 }, /holdTimeSec 2/],
    [{ holdTimeSec: 6, keepaliveSec: 6 }, /keepaliveSec 6/],
    [{ staticNeighbors: [{ address: 'x', asn: 1 }] }, /staticNeighbors\[0\]\.address "x"/],
  ] as [Partial<TorBgpConfig>, RegExp][])('refuses %j', (change, message) => {
    expect(() => torConfigToml({ ...BASE, ...change })).toThrow(message);
  });
});

describe('gobgpd accepts the generated config (gobgpd -d -f)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vc-tor-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('with timers and a static neighbor', async () => {
    await writeTorConfig(join(dir, 'a.toml'), { ...BASE, holdTimeSec: 9, keepaliveSec: 3, staticNeighbors: [{ address: '198.18.1.5', asn: 65001 }] });
  });
});
