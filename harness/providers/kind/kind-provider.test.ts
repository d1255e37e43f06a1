// The kind provider without Docker: every entry point must fail within
// seconds, in one line that says what to do; and what a running environment
// describes (from its recorded state) is checked as data.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoDockerError } from './docker.ts';
import { KindProvider, destroyKindEnvironment, listKindEnvironments } from './kind-provider.ts';
import { operations, pauseKindNode, unpauseKindNode } from './operations.ts';
import { kindDoctorChecks } from './doctor.ts';
import { describeKindEnvironment, provider as kindProvider } from './provider.ts';
import type { KindState } from './state.ts';
import { readKindVersions } from './versions.ts';

const ONE_LINE = /^no Docker engine answers \(.+\); the kind provider needs Docker — use the default local provider \(--provider local\) or start Docker$/;

describe('without a Docker engine', () => {
  const saved = process.env.DOCKER_HOST;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vc-kind-provider-test-'));
    process.env.DOCKER_HOST = `unix://${dir}/absent.sock`;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, () => Promise<unknown>][] = [
    ['KindProvider.create()', () => KindProvider.create({ workers: 3, id: 'unit-test' })],
    ['KindProvider.attach()', () => KindProvider.attach({ id: 'unit-test' })],
    ['KindProvider.ensure()', () => KindProvider.ensure({ workers: 1, id: 'unit-test' })],
    ['destroyKindEnvironment()', () => destroyKindEnvironment({ id: 'unit-test' })],
    ['listKindEnvironments()', () => listKindEnvironments()],
    ['the provider\'s attach()', () => kindProvider.attach({ nodes: 1, log: () => {} })],
    ['the provider\'s down()', () => kindProvider.lifecycle!.down({ log: () => {} })],
    ['the provider\'s status()', () => kindProvider.lifecycle!.status()],
  ];
  for (const [name, call] of cases) {
    it(`${name} fails in under 5 s with the one-line message`, async () => {
      const started = performance.now();
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(NoDockerError);
      expect((error as Error).message).toMatch(ONE_LINE);
      expect((error as Error).message).toContain('absent.sock');
    });
  }

  it('doctor reports Docker missing and cannot tell about images', async () => {
    const checks = await kindDoctorChecks();
    expect(checks.map((c) => c.name)).toEqual(['docker', 'kind', 'image proxy', 'image speaker', 'image echo', 'image tor', 'VIP route']);
    const docker = checks[0];
    expect(docker.ok).toBe(false);
    expect(docker.detail).toContain('absent.sock');
    expect(docker.fix).toMatch(/install Docker Engine/);
    for (const image of checks.filter((c) => c.name.startsWith('image '))) {
      expect(image).toMatchObject({ ok: false, fix: 'npm run build:images' });
      expect(image.detail).toMatch(/^vipcheck\/\w+:\d+\.\d+\.\d+: cannot tell without Docker$/);
    }
    const kind = checks[1];
    const pinned = readKindVersions().kindVersion;
    expect(kind.ok).toBe(kind.detail === `${pinned} (versions.json pins ${pinned})`);
    expect(kind.fix).toContain(`sigs.k8s.io/kind@${pinned}`);
  });
});

describe('input checks come before any Docker call', () => {
  it('refuses to remove an environment that is not ours', async () => {
    await expect(destroyKindEnvironment({ cluster: 'kind' })).rejects.toThrow('refusing to remove "kind": vipcheck only removes environments named vc-…');
  });
  it('pauses only containers named vc-…', async () => {
    await expect(pauseKindNode('kind-worker')).rejects.toThrow('refusing to pause "kind-worker": not a node of a vipcheck kind cluster (vc-…)');
    await expect(unpauseKindNode('kind-worker')).rejects.toThrow('refusing to unpause "kind-worker"');
  });
  it('refuses a worker count out of range', async () => {
    await expect(KindProvider.create({ workers: 0 })).rejects.toThrow('--nodes must be an integer from 1 to 10 for the kind provider, got 0');
  });
  it('refuses an id that would not make a valid name', async () => {
    await expect(KindProvider.create({ workers: 1, id: 'Bad_Id' })).rejects.toThrow('kind environment id must be 1-31 characters [a-z0-9-], got "Bad_Id"');
  });
});

describe('a running environment, described', () => {
  const state: KindState = {
    cluster: 'vc-kind', workers: 3, network: 'kind', subnet: '172.18.0.0/16', clientAddress: '172.18.0.1',
    tor: { container: 'vc-kind-tor', address: '172.18.0.5' },
    ibgpRouter: { container: 'vc-kind-ibgp', address: '172.18.0.6' },
    hostRoute: { cidr: '198.19.0.0/16', via: '172.18.0.5' },
    kubernetesVersion: 'v1.37.0', createdAt: '2026-11-26T00:00:00Z',
  };
  const workers = [
    { name: 'vc-kind-worker', address: '172.18.0.3' },
    { name: 'vc-kind-worker2', address: '172.18.0.4' },
    { name: 'vc-kind-worker3', address: '172.18.0.2' },
  ];
  const provider = KindProvider.fromState(state, workers);

  it('gives scenarios both routers through their containers, node loss by container, and the kind addresses in the template variables', () => {
    const { description, vars } = describeKindEnvironment(provider);
    expect(description.name).toBe('kind');
    expect(description.kubeconfig).toBe(path.join(os.tmpdir(), 'vc-kind', 'kubeconfig'));
    expect(description.kubernetesVersion).toBe('v1.37.0');
    expect(description.nodes).toEqual(workers);
    expect(description.tor).toEqual({ container: 'vc-kind-tor', apiPort: 50051, address: '172.18.0.5', asn: 64512, programsFib: true });
    expect(description.ibgpRouter).toEqual({ container: 'vc-kind-ibgp', apiPort: 50051, address: '172.18.0.6', asn: 64513, programsFib: false });
    expect(description.ibgpNodes).toEqual(['vc-kind-worker', 'vc-kind-worker2']);
    expect(description.capabilities).toMatchObject({ bgpAccess: true, canCutNode: true, canPauseNode: true });
    expect(description.operations).toEqual({ nodeContainers: { 'vc-kind-worker': 'vc-kind-worker', 'vc-kind-worker2': 'vc-kind-worker2', 'vc-kind-worker3': 'vc-kind-worker3' } });
    expect(JSON.parse(JSON.stringify(description))).toEqual(description);
    expect(vars).toMatchObject({
      torAddress: '172.18.0.5', ibgpRouterAddress: '172.18.0.6', clientAddress: '172.18.0.1',
      torAsn: 64512, nodeAsn: 64513, poolDefault: '198.19.0.0/24',
    });
  });

  it('queries the TOR inside its container through docker exec', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/vc-absent.sock';
    try {
      const tor = provider.tor()!;
      expect(provider.tor()).toBe(tor);
      const error = await tor.neighbors().then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message).toContain('docker exec vc-kind-tor gobgp -u 127.0.0.1 -p 50051 neighbor -j');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it('cuts only its own workers, and says which those are', async () => {
    await expect(provider.cutNode('vc-kind-control-plane')).rejects.toThrow(
      '"vc-kind-control-plane" is not a worker of kind cluster vc-kind (workers: vc-kind-worker, vc-kind-worker2, vc-kind-worker3)');
    // The same from a scenario worker, which has only the description.
    const { description } = describeKindEnvironment(provider);
    await expect(operations.cutNode!(description, 'vc-kind-control-plane')).rejects.toThrow(
      '"vc-kind-control-plane" is not a worker of this kind environment (workers: vc-kind-worker, vc-kind-worker2, vc-kind-worker3)');
  });
});
