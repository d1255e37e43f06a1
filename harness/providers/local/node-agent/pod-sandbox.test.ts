import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { HostPortRules } from './hostports.ts';
import { NodeStateStore } from './node-state.ts';
import type { PodNetworks } from './pod-network.ts';
import { PodSandbox, reusableAddress } from './pod-sandbox.ts';

const config = { nodeAddress: '198.18.0.11', podCidr: '198.18.65.0/24', podGateway: '198.18.65.1' };

describe('reusableAddress', () => {
  it('gives back a host address of the podCIDR that no other pod holds', () => {
    expect(reusableAddress('198.18.65.7', config, new Set())).toBe('198.18.65.7');
  });
  it.each([
    ['nothing reported', undefined],
    ['the node address (hostNetwork)', '198.18.0.11'],
    ['the gateway', '198.18.65.1'],
    ['the network address', '198.18.65.0'],
    ['the broadcast address', '198.18.65.255'],
    ['an address outside the podCIDR', '198.18.66.7'],
  ])('refuses %s', (_, reported) => {
    expect(reusableAddress(reported, config, new Set())).toBeUndefined();
  });
  it('refuses an address another pod holds now', () => {
    expect(reusableAddress('198.18.65.7', config, new Set(['198.18.65.7']))).toBeUndefined();
  });
});

describe('PodSandbox for a hostNetwork pod', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vc-sandbox-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // A hostNetwork pod has no namespace, veth or hostPort rules: the sandbox only keeps its record.
  const unused = {} as PodNetworks & HostPortRules;
  const pod = { metadata: { name: 'speaker', namespace: 'lb', uid: 'u1' }, spec: { hostNetwork: true, containers: [] } } as unknown as V1Pod;

  it('takes the node address, records the pod and its processes, and forgets them on release', async () => {
    const state = await NodeStateStore.load(dir);
    const sandbox = new PodSandbox('u1', { config, networks: unused, hostPorts: unused, state, log: () => undefined });
    await sandbox.setup(pod);
    expect([sandbox.ready, sandbox.podIP, sandbox.netns]).toEqual([true, '198.18.0.11', undefined]);
    await sandbox.recordProcess(process.pid, true);
    expect(state.state.pods.u1).toMatchObject({ namespace: 'lb', name: 'speaker', processes: [{ pid: process.pid }] });
    expect(state.state.pods.u1.processes[0].startTicks).toBeGreaterThan(0);
    await sandbox.recordProcess(process.pid, false);
    expect(state.state.pods.u1.processes).toEqual([]);
    await sandbox.release();
    expect([sandbox.ready, state.state.pods.u1]).toEqual([false, undefined]);
    // A finished pod still reports the address it had.
    expect(sandbox.podIP).toBe('198.18.0.11');
    const reloaded = await NodeStateStore.load(dir);
    expect(reloaded.state.pods).toEqual({});
  });
});
