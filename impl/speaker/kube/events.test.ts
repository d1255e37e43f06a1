import { describe, expect, it } from 'vitest';
import type { CoreV1Event } from '@kubernetes/client-node';
import { EventRecorder, type EventsApi } from './events.ts';

function fakeApi(options: { failPatch?: boolean; failCreate?: boolean } = {}) {
  const created: CoreV1Event[] = [];
  const patched: Array<{ name: string; body: unknown }> = [];
  const api = {
    createNamespacedEvent: async ({ body }: { body: CoreV1Event }) => {
      if (options.failCreate) throw new Error('forbidden');
      created.push(body);
      return body;
    },
    patchNamespacedEvent: async ({ name, body }: { name: string; body: unknown }) => {
      if (options.failPatch) throw new Error('not found');
      patched.push({ name, body });
      return {};
    },
  } as unknown as EventsApi;
  return { api, created, patched };
}

const target = { kind: 'Service', apiVersion: 'v1', namespace: 'ns', name: 'web', uid: 'u1' };

describe('EventRecorder', () => {
  it('creates a core/v1 Event naming the object, reason, message and reporter', async () => {
    const { api, created } = fakeApi();
    const recorder = new EventRecorder(api, 'vipcheck-lb-controller', 'pod-1', () => {});
    recorder.record(target, 'Normal', 'IPAllocated', 'Assigned IP ["198.19.0.1"]');
    await recorder.flush();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      metadata: { namespace: 'ns' },
      involvedObject: { kind: 'Service', apiVersion: 'v1', namespace: 'ns', name: 'web', uid: 'u1' },
      type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["198.19.0.1"]', count: 1,
      source: { component: 'vipcheck-lb-controller', host: 'pod-1' }, reportingComponent: 'vipcheck-lb-controller', reportingInstance: 'pod-1',
    });
    expect(created[0].metadata?.name).toMatch(/^web\.[0-9a-f]{16}$/);
  });

  it('bumps the count of a repeated event instead of creating another', async () => {
    const { api, created, patched } = fakeApi();
    const recorder = new EventRecorder(api, 'c', 'h', () => {});
    recorder.record(target, 'Warning', 'AllocationFailed', 'no addresses');
    recorder.record(target, 'Warning', 'AllocationFailed', 'no addresses');
    recorder.record(target, 'Warning', 'AllocationFailed', 'other');
    await recorder.flush();
    expect(created.map((e) => e.message)).toEqual(['no addresses', 'other']);
    expect(patched).toEqual([{ name: created[0].metadata!.name, body: expect.objectContaining({ count: 2 }) }]);
  });

  it('logs instead of throwing when the API refuses', async () => {
    const { api } = fakeApi({ failCreate: true });
    const log: string[] = [];
    const recorder = new EventRecorder(api, 'c', 'h', (line) => log.push(line));
    recorder.record(target, 'Normal', 'IPAllocated', 'x');
    await recorder.flush();
    expect(log).toEqual(['could not record event IPAllocated on Service ns/web: forbidden']);
  });
});
