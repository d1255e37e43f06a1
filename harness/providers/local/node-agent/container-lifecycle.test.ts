import { describe, expect, it } from 'vitest';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { ContainerLifecycle, restartsSoFar, type ContainerRun } from './container-lifecycle.ts';

/** A process stand-in: the lifecycle only reads pid, startedAt and running. */
function run(pid: number, startedAt: number): ContainerRun & { running: boolean } {
  return { pid, startedAt: new Date(startedAt), running: true, stop: async () => ({ exitCode: 0, finishedAt: new Date() }) };
}

function container(spec: Partial<V1Container> = {}): ContainerLifecycle {
  return new ContainerLifecycle({ name: 'app', image: 'echo', ...spec }, false, 'ContainerCreating', 0);
}

/** Starts a run at `now` and lets it exit with `exitCode` one second later. */
function runOnce(c: ContainerLifecycle, now: number, exitCode: number, pid = 100): number {
  c.beginRun(now);
  const proc = run(pid, now);
  c.started(proc);
  proc.running = false;
  c.exited(proc, { exitCode, finishedAt: new Date(now + 1000) });
  return now + 1000;
}

describe('ContainerLifecycle.forPod', () => {
  it('lists init containers first; regular ones wait in PodInitializing while init containers exist', () => {
    const pod = { spec: { initContainers: [{ name: 'setup' }], containers: [{ name: 'app' }] } } as V1Pod;
    const all = ContainerLifecycle.forPod(pod);
    expect(all.map((c) => [c.name, c.init, c.runtime.state])).toEqual([
      ['setup', true, { kind: 'waiting', reason: 'PodInitializing' }],
      ['app', false, { kind: 'waiting', reason: 'PodInitializing' }],
    ]);
    const plain = ContainerLifecycle.forPod({ spec: { containers: [{ name: 'app' }] } } as V1Pod);
    expect(plain[0].runtime.state).toEqual({ kind: 'waiting', reason: 'ContainerCreating' });
  });
});

describe('restartsSoFar', () => {
  it('counts a container that was running or terminated under an earlier agent as restarted once more', () => {
    const pod = {
      status: {
        containerStatuses: [
          { name: 'running', restartCount: 2, state: { running: {} } },
          { name: 'done', restartCount: 0, state: { terminated: { exitCode: 0 } } },
          { name: 'waiting', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    } as unknown as V1Pod;
    expect(['running', 'done', 'waiting', 'new'].map((n) => restartsSoFar(pod, n))).toEqual([3, 1, 3, 0]);
  });
});

describe('ContainerLifecycle runs', () => {
  it('the first run is not a restart; later runs count restarts and keep the last termination', () => {
    const c = container();
    expect(c.beginRun(0)).toBe(false);
    const first = run(7, 0);
    c.started(first);
    expect(c.runtime).toMatchObject({ state: { kind: 'running', containerID: 'vipcheck://7' }, started: true, ready: true, restartCount: 0 });
    first.running = false;
    c.exited(first, { exitCode: 3, finishedAt: new Date(1000) });
    expect(c.runtime.state).toMatchObject({ kind: 'terminated', exitCode: 3, reason: 'Error', containerID: 'vipcheck://7' });
    expect(c.process).toBeUndefined();
    expect(c.beginRun(1000)).toBe(true);
    expect(c.runtime.restartCount).toBe(1);
    expect(c.runtime.lastTermination).toMatchObject({ exitCode: 3 });
    c.started(run(8, 1000));
    expect(c.latestRun).toBe(1);
    expect(c.lastTerminationRun).toBe(0);
  });

  it('is not ready before its readiness probe, not started before its startup probe', () => {
    const c = container({ readinessProbe: {}, startupProbe: {} });
    c.started(run(1, 0));
    expect([c.runtime.started, c.runtime.ready]).toEqual([false, false]);
    c.startupSucceeded();
    expect([c.runtime.started, c.runtime.ready]).toEqual([true, false]);
  });

  it('an init container is ready once it completed, never while running', () => {
    const c = new ContainerLifecycle({ name: 'setup' }, true, 'PodInitializing', 0);
    const proc = run(1, 0);
    c.started(proc);
    expect(c.runtime.ready).toBe(false);
    c.exited(proc, { exitCode: 0, finishedAt: new Date(10) });
    expect([c.runtime.ready, c.completed]).toEqual([true, true]);
  });

  it('an exit of an older run still records the termination but does not drop the current process', () => {
    const c = container();
    const old = run(1, 0);
    c.started(old);
    const current = run(2, 10);
    c.started(current);
    c.exited(old, { exitCode: 0, finishedAt: new Date(20) });
    expect(c.process).toBe(current);
  });
});

describe('ContainerLifecycle back-off', () => {
  it('shows CrashLoopBackOff with the kubelet message and waits 0, 10, 20 s between crashes', () => {
    const c = container();
    let now = runOnce(c, 0, 1);
    expect(c.nextAttemptAt).toBe(now); // first restart at once
    now = runOnce(c, now, 1);
    expect(c.nextAttemptAt - now).toBe(10_000);
    expect(c.showBackoff(now + 500, 'web_apps(u1)')).toEqual({ crashLoop: true });
    expect(c.runtime.state).toEqual({ kind: 'waiting', reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=web_apps(u1)' });
    expect(c.runtime.lastTermination).toMatchObject({ exitCode: 1 });
    now = runOnce(c, c.nextAttemptAt, 1);
    expect(c.nextAttemptAt - now).toBe(20_000);
  });

  it('after a failed pull shows ErrImagePull for 2 s, then ImagePullBackOff; retries 10 s, 20 s, 40 s apart', () => {
    const c = container();
    expect(c.pullFailed(0, 'not in the table')).toBe(true);
    expect(c.runtime.state).toEqual({ kind: 'waiting', reason: 'ErrImagePull', message: 'not in the table' });
    expect(c.nextAttemptAt).toBe(10_000);
    expect(c.showBackoff(500, 'p')).toEqual({ crashLoop: false, recheckInMs: 1500 });
    expect(c.runtime.state.kind === 'waiting' && c.runtime.state.reason).toBe('ErrImagePull');
    expect(c.showBackoff(2000, 'p')).toEqual({ crashLoop: false });
    expect(c.runtime.state).toEqual({ kind: 'waiting', reason: 'ImagePullBackOff', message: 'not in the table' });
    expect(c.pullFailed(10_000, 'not in the table')).toBe(false);
    expect(c.nextAttemptAt).toBe(30_000);
    expect(c.pullFailed(30_000, 'not in the table')).toBe(false);
    expect(c.nextAttemptAt).toBe(70_000);
    c.imageResolved('vipcheck://image/echo');
    expect(c.imagePullFailedAt).toBeUndefined();
    expect(c.runtime.imageID).toBe('vipcheck://image/echo');
  });

  it('a config error is worth a log line only when its message changes', () => {
    const c = container();
    expect(c.configFailed('configmaps "x" not found', 5000)).toBe(true);
    expect(c.configFailed('configmaps "x" not found', 10_000)).toBe(false);
    expect(c.configFailed('secrets "y" not found', 15_000)).toBe(true);
    expect(c.runtime.state).toEqual({ kind: 'waiting', reason: 'CreateContainerConfigError', message: 'secrets "y" not found' });
    expect(c.nextAttemptAt).toBe(15_000);
  });

  it('notCreated tells a waiting container why, and leaves a started one alone', () => {
    const waiting = container();
    waiting.notCreated('secrets "tls" not found', true);
    expect(waiting.runtime.state).toEqual({ kind: 'waiting', reason: 'PodInitializing', message: 'secrets "tls" not found' });
    const running = container();
    running.started(run(1, 0));
    running.notCreated('x', false);
    expect(running.runtime.state.kind).toBe('running');
  });
});

describe('ContainerLifecycle under the restart policy', () => {
  const cases: [string, number, boolean][] = [
    ['Always', 0, true],
    ['Always', 1, true],
    ['OnFailure', 0, false],
    ['OnFailure', 1, true],
    ['Never', 1, false],
  ];
  it.each(cases)('%s after exit code %i: restart %s', (policy, exitCode, restart) => {
    const c = container();
    expect([c.needsStart(policy), c.doneUnder(policy)]).toEqual([true, false]); // never ran
    runOnce(c, 0, exitCode);
    expect(c.shouldRestart(policy)).toBe(restart);
    expect([c.needsStart(policy), c.doneUnder(policy)]).toEqual([restart, !restart]);
    c.showBackoff(500, 'p'); // waiting in back-off still counts the exit
    expect(c.shouldRestart(policy)).toBe(restart);
    expect(c.hasExited).toBe(true);
  });

  it('a running container neither needs a start nor is done', () => {
    const c = container();
    c.started(run(1, 0));
    expect([c.needsStart('Always'), c.doneUnder('Never')]).toEqual([false, false]);
  });
});
