// The registry and the contract as data: every provider's capabilities agree
// with its node operations, a scenario asking for what the environment lacks
// is not-supported with the reason, the docs' table is the registry's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { NotSupportedError, ScenarioContext } from '../scenario/context.ts';
import type { Runtime } from '../scenario/runtime.ts';
import { resolveTimeouts } from '../scenario/timeouts.ts';
import { CAPABILITY_OPERATIONS, type EnvironmentDescription, type NodeCapability } from './provider.ts';
import { PROVIDER_NAMES, capabilityTable, loadProvider, loadProviders, missingCapability, nodeOperation, nodeOperationsOf, providerName } from './registry.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-test-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kubeconfig = path.join(dir, 'kubeconfig');
writeFileSync(kubeconfig, [
  'apiVersion: v1', 'kind: Config', 'current-context: c',
  'clusters: [{name: k, cluster: {server: "https://192.0.2.10:6443"}}]',
  'contexts: [{name: c, context: {cluster: k, user: u}}]',
  'users: [{name: u, user: {token: t}}]',
].join('\n'));

function described(name: string, capabilities: Partial<EnvironmentDescription['capabilities']> = {}, extra: Partial<EnvironmentDescription> = {}): EnvironmentDescription {
  return {
    name, kubeconfig, kubernetesVersion: 'v1.37.0', nodes: [{ name: 'vc-node-1', address: '198.18.0.11' }],
    capabilities: { bgpAccess: false, canCutNode: false, canPauseNode: false, layer2Client: false, ipFamilies: ['ipv4'], ...capabilities },
    ...extra,
  };
}

describe('provider registry', () => {
  it('knows each provider by one name, and says which names it knows', () => {
    expect(PROVIDER_NAMES).toEqual(['local', 'kind', 'existing']);
    expect(providerName('kind')).toBe('kind');
    expect(() => providerName('nope')).toThrow('--provider: unknown provider "nope" (known: local, kind, existing)');
    expect(() => providerName('toString')).toThrow('unknown provider "toString"');
  });

  for (const name of PROVIDER_NAMES) {
    it(`${name}: each capability is true exactly when its node operations are there`, async () => {
      const provider = await loadProvider(name);
      const operations = await nodeOperationsOf(described(name));
      for (const [capability, ops] of Object.entries(CAPABILITY_OPERATIONS) as [NodeCapability, readonly string[]][]) {
        for (const op of ops) expect(op in operations, `${name}: ${capability} is ${provider.capabilities[capability]}, operation ${op}`).toBe(provider.capabilities[capability]);
      }
      expect(provider.capabilities.layer2Client).toBe(false);
      expect(provider.capabilities.ipFamilies).toEqual(['ipv4']);
      expect(provider.summary).toMatch(/^\S.{10,120}$/);
    });
  }

  it('names the cluster a run locks: the local environment and an existing one by their API server, kind by its cluster', async () => {
    expect((await loadProvider('local')).cluster({})).toBe('https://198.18.0.2:6443');
    expect((await loadProvider('existing')).cluster({ kubeconfig })).toBe('https://192.0.2.10:6443');
    expect((await loadProvider('kind')).cluster({})).toBe('kind cluster vc-kind');
  });

  it('gives the reason a capability is off, the provider\'s own when it has one', async () => {
    expect(missingCapability(described('local', { canCutNode: true }), 'canCutNode', 'cut a node off')).toBeUndefined();
    expect(missingCapability(described('local'), 'canPauseNode', 'pause a node')).toBe('the local provider cannot pause a node (canPauseNode is false)');
    const existing = described('existing', {}, { unsupported: { canCutNode: 'access.yaml names no nodeLinks' } });
    expect(await nodeOperation(existing, 'canCutNode', 'cut a node off')).toBe('the existing provider cannot cut a node off: access.yaml names no nodeLinks');
  });

  it('refuses a description that claims an operation its provider lacks', async () => {
    await expect(nodeOperation(described('local', { canPauseNode: true }), 'canPauseNode', 'pause a node')).rejects.toThrow(
      'the local provider claims canPauseNode but has no pauseNode, resumeNode operation');
    await expect(nodeOperationsOf(described('docker'))).rejects.toThrow('runtime provider.name: unknown provider "docker" (known: local, kind, existing)');
  });

  it('cuts a node by its link only when the description names it', async () => {
    const operations = await nodeOperationsOf(described('existing'));
    await expect(operations.cutNode!(described('existing', { canCutNode: true }, { operations: { nodeLinks: {} } }), 'vc-node-1')).rejects.toThrow(
      'the existing provider has no link for node "vc-node-1" (nodes with links: none)');
  });

  it('docs/writing-providers.md carries the registry\'s capability table', async () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/writing-providers.md'), 'utf8');
    expect(doc, `docs/writing-providers.md: replace the table with\n${await capabilityTable()}`).toContain(await capabilityTable());
  });

  it('every provider has doctor checks to show or an empty list, never a throw for a missing tool', async () => {
    for (const [name, provider] of await loadProviders()) {
      if (name === 'kind') continue; // asks Docker; kind-provider.test.ts checks it without an engine
      expect(Array.isArray(await provider.doctor()), name).toBe(true);
    }
  });
});

describe('a scenario asking for what the environment lacks', () => {
  const runtime = (provider: EnvironmentDescription): Runtime => ({
    runId: 'test', provider, target: { name: 'reference' } as Runtime['target'], vars: {},
    settings: { timeouts: resolveTimeouts(1000, 1), timeoutScale: 1, reportDir: dir, keepNamespaces: false },
  });
  const scenario = { id: 'lb-node-loss' } as ConstructorParameters<typeof ScenarioContext>[0];

  it('is not-supported with the reason, before anything is touched', async () => {
    const ctx = new ScenarioContext(scenario, runtime(described('existing', {}, { unsupported: { canCutNode: 'no BGP access file given (--bgp-access FILE, with nodeLinks)' } })));
    const cut = await ctx.cutNode('vc-node-1').then(() => undefined, (e: unknown) => e as Error);
    expect(cut).toBeInstanceOf(NotSupportedError);
    expect(cut?.message).toBe('the existing provider cannot cut a node off: no BGP access file given (--bgp-access FILE, with nodeLinks)');
    await expect(ctx.pauseNode('vc-node-1')).rejects.toThrow(NotSupportedError);
    expect(() => ctx.tor()).toThrow(NotSupportedError);
    expect(() => ctx.ibgpRouter()).toThrow('the existing provider cannot reach the iBGP router (bgpAccess is false)');
  });
});
