import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { routerContainerSpec, startRouterContainer } from './router-containers.ts';

const options = { cluster: 'vc-kind', image: 'vipcheck/tor:0.1.0', network: 'kind', subnet: '172.18.0.0/16', holdTimeSec: 9 };

describe('router container specs', () => {
  it('makes the TOR: eBGP from every node of the subnet, FIB programming on, named and labelled for its cluster', () => {
    const tor = routerContainerSpec('tor', options);
    expect(tor).toMatchObject({
      name: 'vc-kind-tor', image: 'vipcheck/tor:0.1.0', network: 'kind', asn: 64512,
      env: { TOR_PROGRAM_FIB: 'true', TOR_API_PORT: '50051', TOR_CONFIG: '/etc/gobgp/gobgpd.toml' },
      labels: { 'vipcheck.cluster': 'vc-kind', 'vipcheck.role': 'tor' },
      configPath: '/etc/gobgp/gobgpd.toml',
      readyCommand: 'gobgp -p 50051 global',
    });
    expect(tor.config).toContain('as = 64512');
    expect(tor.config).toContain('peer-as = 64513');
    expect(tor.config).toContain('prefix = "172.18.0.0/16"');
    expect(tor.config).toContain('hold-time = 9');
  });

  it('makes the iBGP router: the nodes\' own AS on both sides, RIB only', () => {
    const ibgp = routerContainerSpec('ibgp', options);
    expect(ibgp).toMatchObject({ name: 'vc-kind-ibgp', asn: 64513, env: { TOR_PROGRAM_FIB: 'false' }, labels: { 'vipcheck.role': 'ibgp' } });
    expect(ibgp.config).toContain('as = 64513');
    expect(ibgp.config).toContain('peer-as = 64513');
  });
});

describe('starting a router container without Docker', () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it('fails fast through testcontainers with an error naming the router, image and network', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-router-test-'));
    try {
      process.env.DOCKER_HOST = `unix://${dir}/absent.sock`;
      const started = performance.now();
      const error = await startRouterContainer(routerContainerSpec('tor', options), 5_000).catch((e: unknown) => e as Error);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^starting the TOR container vc-kind-tor \(vipcheck\/tor:0\.1\.0 on network kind\) failed: .*container runtime/);
      expect((error as Error).message).not.toContain('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
