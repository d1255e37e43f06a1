import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { apiTime, computePodStatus, mergeConditions, podPhase, type ContainerRuntime, type PodRuntime, type TerminatedState } from './pod-status.ts';

const t0 = new Date('2026-11-26T12:00:00.000Z');
const t1 = new Date('2026-11-26T12:00:05.250Z');
const now = new Date('2026-11-26T12:01:00.999Z');

function pod(restartPolicy = 'Always', extra: Partial<V1Pod['spec']> = {}, status?: V1Pod['status']): V1Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u', generation: 1 },
    spec: { restartPolicy, containers: [{ name: 'a' }], ...extra },
    status,
  } as V1Pod;
}

const base = { name: 'a', image: 'vipcheck/echo:0.1.0', imageID: 'vipcheck://image/vipcheck/echo', restartCount: 0, ready: false, started: false };
const waiting = (reason = 'ContainerCreating', extra: Partial<ContainerRuntime> = {}): ContainerRuntime => ({ ...base, state: { kind: 'waiting', reason }, ...extra });
const running = (ready: boolean, extra: Partial<ContainerRuntime> = {}): ContainerRuntime => ({
  ...base, ready, started: true, state: { kind: 'running', startedAt: t0, containerID: 'vipcheck://100' }, ...extra,
});
const ended = (exitCode: number): TerminatedState => ({
  kind: 'terminated', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: t0, finishedAt: t1, containerID: 'vipcheck://100',
});
const terminated = (exitCode: number, extra: Partial<ContainerRuntime> = {}): ContainerRuntime => ({ ...base, state: ended(exitCode), ...extra });

function runtime(containers: ContainerRuntime[], extra: Partial<PodRuntime> = {}): PodRuntime {
  return { hostIP: '198.18.0.11', podIP: '198.18.65.7', startTime: t0, sandboxReady: true, terminal: false, initContainers: [], containers, ...extra };
}

const condition = (status: ReturnType<typeof computePodStatus>, type: string) => status.conditions.find((c) => c.type === type)!;

describe('podPhase', () => {
  it.each([
    ['Always', [waiting()], false, 'Pending'],
    ['Always', [running(false)], false, 'Running'],
    ['Always', [running(true), waiting()], false, 'Pending'],
    ['Always', [terminated(0)], false, 'Running'],
    ['Always', [waiting('CrashLoopBackOff', { lastTermination: ended(1), restartCount: 1 })], false, 'Running'],
    ['Always', [terminated(0)], true, 'Succeeded'],
    ['Always', [terminated(137)], true, 'Failed'],
    ['OnFailure', [terminated(0)], false, 'Succeeded'],
    ['OnFailure', [terminated(2)], false, 'Running'],
    ['Never', [terminated(0)], false, 'Succeeded'],
    ['Never', [terminated(2)], false, 'Failed'],
    ['Never', [terminated(0), running(true)], false, 'Running'],
  ] as const)('%s with %j (terminal %s) → %s', (policy, containers, terminal, phase) => {
    expect(podPhase(pod(policy), runtime([...containers], { terminal }))).toBe(phase);
  });

  it('is Pending while an init container runs or waits, and Failed when it fails under Never', () => {
    const init = (c: ContainerRuntime) => runtime([waiting('PodInitializing')], { initContainers: [{ ...c, name: 'init' }] });
    expect(podPhase(pod('Always'), init(running(false)))).toBe('Pending');
    expect(podPhase(pod('Always'), init(terminated(1)))).toBe('Pending');
    expect(podPhase(pod('Never'), init(terminated(1)))).toBe('Failed');
    expect(podPhase(pod('Always'), init(waiting('CrashLoopBackOff', { lastTermination: ended(1) })))).toBe('Pending');
  });
});

describe('computePodStatus', () => {
  it('reports a ready running pod with addresses, times and container status', () => {
    const status = computePodStatus(pod(), runtime([running(true, { restartCount: 2, lastTermination: ended(1) })]), now);
    expect(status).toMatchObject({
      observedGeneration: 1,
      phase: 'Running',
      hostIP: '198.18.0.11',
      hostIPs: [{ ip: '198.18.0.11' }],
      podIP: '198.18.65.7',
      podIPs: [{ ip: '198.18.65.7' }],
      startTime: '2026-11-26T12:00:00Z',
      initContainerStatuses: [],
      containerStatuses: [{
        name: 'a', image: 'vipcheck/echo:0.1.0', imageID: 'vipcheck://image/vipcheck/echo', containerID: 'vipcheck://100',
        ready: true, started: true, restartCount: 2,
        state: { running: { startedAt: '2026-11-26T12:00:00Z' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-11-26T12:00:00Z', finishedAt: '2026-11-26T12:00:05Z', containerID: 'vipcheck://100' } },
      }],
    });
    expect(status.conditions.map((c) => [c.type, c.status])).toEqual([
      ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True'],
    ]);
    for (const c of status.conditions) expect(c.lastTransitionTime).toBe('2026-11-26T12:01:00Z');
  });

  it('names unready containers the way the kubelet does', () => {
    const p = pod('Always', { containers: [{ name: 'a' }, { name: 'b' }] });
    const status = computePodStatus(p, runtime([running(false), running(false, { name: 'b' })]), now);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a b]' });
    expect(condition(status, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
  });

  it('keeps lastTransitionTime of a condition whose status did not change', () => {
    const previous = { conditions: [
      { type: 'Ready', status: 'False', lastTransitionTime: '2026-11-26T11:00:00Z' },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: new Date('2026-11-26T10:00:00Z') },
    ] } as unknown as V1Pod['status'];
    const stillUnready = computePodStatus(pod('Always', {}, previous), runtime([running(false)]), now);
    expect(condition(stillUnready, 'Ready').lastTransitionTime).toBe('2026-11-26T11:00:00Z');
    expect(condition(stillUnready, 'PodScheduled').lastTransitionTime).toBe('2026-11-26T10:00:00Z');
    const nowReady = computePodStatus(pod('Always', {}, previous), runtime([running(true)]), now);
    expect(condition(nowReady, 'Ready').lastTransitionTime).toBe('2026-11-26T12:01:00Z');
  });

  it('reports a pending pod without sandbox, podIP or start', () => {
    const status = computePodStatus(pod(), runtime([waiting('ErrImagePull')], { sandboxReady: false, podIP: undefined }), now);
    expect(status.phase).toBe('Pending');
    expect(status.podIP).toBeUndefined();
    expect(condition(status, 'PodReadyToStartContainers').status).toBe('False');
    expect(status.containerStatuses[0]).toMatchObject({ state: { waiting: { reason: 'ErrImagePull' } }, lastState: {}, ready: false, started: false });
    expect(status.containerStatuses[0].containerID).toBeUndefined();
  });

  it('reports init progress in Initialized', () => {
    const p = pod('Always', { initContainers: [{ name: 'i1' }, { name: 'i2' }] });
    const i1 = { ...terminated(0), name: 'i1', ready: true };
    const i2 = { ...running(false), name: 'i2' };
    const status = computePodStatus(p, runtime([waiting('PodInitializing')], { initContainers: [i1, i2] }), now);
    expect(condition(status, 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i2]' });
    expect(status.initContainerStatuses.map((s) => s.name)).toEqual(['i1', 'i2']);
    expect(status.initContainerStatuses[0].state).toMatchObject({ terminated: { exitCode: 0, reason: 'Completed' } });
  });

  it('marks terminal pods not ready with PodCompleted / PodFailed', () => {
    const done = computePodStatus(pod('Never'), runtime([terminated(0)], { terminal: true, sandboxReady: false }), now);
    expect(done.phase).toBe('Succeeded');
    expect(condition(done, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(condition(done, 'Initialized')).toMatchObject({ status: 'True', reason: 'PodCompleted' });
    const failed = computePodStatus(pod('Never'), runtime([terminated(143)], { terminal: true }), now);
    expect(failed.phase).toBe('Failed');
    expect(condition(failed, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'PodFailed' });
  });

  it('reports a signal exit truthfully', () => {
    const killed = terminated(137, { state: { ...ended(137), signal: 9 } });
    expect(computePodStatus(pod(), runtime([killed]), now).containerStatuses[0].state).toEqual({
      terminated: { exitCode: 137, signal: 9, reason: 'Error', startedAt: '2026-11-26T12:00:00Z', finishedAt: '2026-11-26T12:00:05Z', containerID: 'vipcheck://100' },
    });
  });

  it('holds Ready back while a readiness gate is not True', () => {
    const p = pod('Always', { readinessGates: [{ conditionType: 'example.com/lb' }] });
    const status = computePodStatus(p, runtime([running(true)]), now);
    expect(condition(status, 'ContainersReady').status).toBe('True');
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady' });
    const gated = pod('Always', { readinessGates: [{ conditionType: 'example.com/lb' }] }, { conditions: [{ type: 'example.com/lb', status: 'True' }] } as V1Pod['status']);
    expect(condition(computePodStatus(gated, runtime([running(true)]), now), 'Ready').status).toBe('True');
  });

  it('is deterministic: same input, same JSON', () => {
    const r = runtime([running(true)]);
    expect(JSON.stringify(computePodStatus(pod(), r, now))).toBe(JSON.stringify(computePodStatus(pod(), r, now)));
  });
});

describe('mergeConditions', () => {
  it('keeps conditions of other writers and replaces ours', () => {
    const ours = computePodStatus(pod(), runtime([running(true)]), now).conditions;
    const merged = mergeConditions([{ type: 'Ready', status: 'False' } as { type: string }, { type: 'DisruptionTarget', status: 'True', lastTransitionTime: t1 } as { type: string }], ours);
    expect(merged).toHaveLength(ours.length + 1);
    expect(merged.at(-1)).toEqual({ type: 'DisruptionTarget', status: 'True', lastTransitionTime: apiTime(t1) });
  });
});
