import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { PodRuntime } from './pod-status.ts';
import { COALESCE_MS, PodStatusWriter, RETRY_MS } from './pod-status-writer.ts';

interface Patch {
  status: { phase: string; conditions: { type: string; status: string }[] };
}

/** A writer over an in-memory API: `patches` is what it sent, `fail` makes the next patches throw. */
function setup() {
  let pod: V1Pod = { metadata: { name: 'web', namespace: 'apps', uid: 'u1' }, spec: { containers: [{ name: 'app' }] }, status: {} } as V1Pod;
  const runtime: PodRuntime = {
    hostIP: '198.18.0.11',
    podIP: '198.18.65.2',
    sandboxReady: true,
    terminal: false,
    initContainers: [],
    containers: [{ name: 'app', image: 'echo', imageID: '', state: { kind: 'waiting', reason: 'ContainerCreating' }, restartCount: 0, ready: false, started: false }],
  };
  const patches: Patch[] = [];
  const logs: string[] = [];
  const api = { fail: 0 };
  const writer = new PodStatusWriter({
    patch: async (body) => {
      if (api.fail > 0) {
        api.fail--;
        throw new Error('apiserver unavailable');
      }
      patches.push(body as Patch);
    },
    pod: () => pod,
    runtime: () => runtime,
    log: (line) => logs.push(line),
  });
  return { writer, patches, logs, api, runtime, setPod: (p: V1Pod) => (pod = p), pod: () => pod };
}

const ready = (p: Patch) => p.status.conditions.find((c) => c.type === 'Ready')?.status;

describe('PodStatusWriter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('coalesces publishes within the window into one patch', async () => {
    const { writer, patches } = setup();
    writer.publish();
    writer.publish();
    await vi.advanceTimersByTimeAsync(COALESCE_MS - 1);
    expect(patches).toHaveLength(0);
    writer.publish();
    await vi.advanceTimersByTimeAsync(1);
    expect(patches).toHaveLength(1);
    expect(patches[0].status.phase).toBe('Pending');
  });

  it('writes only when the status changed', async () => {
    const { writer, patches, runtime } = setup();
    await writer.flush();
    await writer.flush();
    expect(patches).toHaveLength(1);
    runtime.containers[0] = { ...runtime.containers[0], state: { kind: 'running', startedAt: new Date(0), containerID: 'vipcheck://1' }, ready: true, started: true };
    await writer.flush();
    expect(patches.map(ready)).toEqual(['False', 'True']);
  });

  it('writes again, unchanged, after someone else overwrote our conditions', async () => {
    const { writer, patches, setPod, pod } = setup();
    await writer.flush();
    // What the node lifecycle controller does while the node is unreachable.
    const overwritten = { ...pod(), status: { conditions: patches[0].status.conditions.map((c) => (c.type === 'PodScheduled' ? c : { ...c, status: 'Unknown' })) } };
    setPod(overwritten as V1Pod);
    writer.observe(overwritten as V1Pod);
    await writer.flush();
    expect(patches).toHaveLength(2);
    // Agreeing conditions do not cause a write.
    setPod({ ...pod(), status: { conditions: patches[1].status.conditions } } as V1Pod);
    writer.observe(pod());
    await writer.flush();
    expect(patches).toHaveLength(2);
  });

  it('keeps conditions set by others next to ours', async () => {
    const { writer, patches, setPod, pod } = setup();
    setPod({ ...pod(), status: { conditions: [{ type: 'example.com/gate', status: 'True' }] } } as V1Pod);
    await writer.flush();
    expect(patches[0].status.conditions.map((c) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled', 'example.com/gate']);
  });

  it('retries a failed write after a second', async () => {
    const { writer, patches, logs, api } = setup();
    api.fail = 1;
    writer.publish();
    await vi.advanceTimersByTimeAsync(COALESCE_MS);
    expect(patches).toHaveLength(0);
    expect(logs).toEqual(['status update failed, retrying in 1 s: apiserver unavailable']);
    await vi.advanceTimersByTimeAsync(RETRY_MS + COALESCE_MS);
    expect(patches).toHaveLength(1);
  });

  it('after close, publish writes nothing; flush still does (the final status before deletion)', async () => {
    const { writer, patches } = setup();
    writer.publish();
    writer.close();
    await vi.advanceTimersByTimeAsync(10 * COALESCE_MS);
    expect(patches).toHaveLength(0);
    await writer.flush();
    expect(patches).toHaveLength(1);
  });
});
