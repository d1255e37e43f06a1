import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContainerLifecycle, type ContainerRun } from './container-lifecycle.ts';
import { containerLogPath, keepPreviousLog, logDir, logLocation, type LogLocation } from './container-log-files.ts';

const podDir = '/run/vc/pods/u1';

function proc(pid: number): ContainerRun & { running: boolean } {
  return { pid, startedAt: new Date(0), running: true, stop: async () => ({ exitCode: 0, finishedAt: new Date() }) };
}

function located(result: LogLocation | string): { file: string; running: boolean } {
  if (typeof result === 'string') throw new Error(`expected a log file, got: ${result}`);
  return { file: result.file, running: result.isRunning() };
}

describe('logLocation', () => {
  const current = `${podDir}/logs/app.log`;
  const previous = `${podDir}/logs/app.previous.log`;

  it('a running container: the current file, followed while it runs; no previous run yet', () => {
    const c = new ContainerLifecycle({ name: 'app' }, false, 'ContainerCreating', 0);
    c.beginRun(0);
    const p = proc(1);
    c.started(p);
    const here = logLocation(podDir, 'web', c, false) as LogLocation;
    expect(located(here)).toEqual({ file: current, running: true });
    expect(logLocation(podDir, 'web', c, true)).toBe('previous terminated container "app" in pod "web" not found');
    p.running = false;
    c.exited(p, { exitCode: 1, finishedAt: new Date(1000) });
    expect(here.isRunning()).toBe(false);
  });

  it('after a restart: --previous is the kept file; in back-off the last run is the current file', () => {
    const c = new ContainerLifecycle({ name: 'app' }, false, 'ContainerCreating', 0);
    const first = proc(1);
    c.beginRun(0);
    c.started(first);
    c.exited(first, { exitCode: 1, finishedAt: new Date(1000) });
    c.beginRun(1000);
    const second = proc(2);
    c.started(second);
    expect(located(logLocation(podDir, 'web', c, true))).toEqual({ file: previous, running: false });
    second.running = false;
    c.exited(second, { exitCode: 1, finishedAt: new Date(2000) });
    c.showBackoff(2500, 'web_apps(u1)');
    expect(c.runtime.state.kind).toBe('waiting');
    expect(located(logLocation(podDir, 'web', c, false))).toEqual({ file: current, running: false });
    expect(located(logLocation(podDir, 'web', c, true))).toEqual({ file: current, running: false });
  });

  it('a container that never started says why, as the kubelet does', () => {
    const c = new ContainerLifecycle({ name: 'app', image: 'nope' }, false, 'ContainerCreating', 0);
    expect(logLocation(podDir, 'web', c, false)).toBe('container "app" in pod "web" is waiting to start: ContainerCreating');
    c.pullFailed(0, 'missing');
    expect(logLocation(podDir, 'web', c, false)).toBe('container "app" in pod "web" is waiting to start: image can\'t be pulled');
    c.showBackoff(5000, 'p');
    expect(logLocation(podDir, 'web', c, false)).toBe('container "app" in pod "web" is waiting to start: trying and failing to pull image');
  });
});

describe('keepPreviousLog', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-logfiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns the current log into the previous one, replacing an older previous', () => {
    mkdirSync(logDir(dir), { recursive: true });
    writeFileSync(containerLogPath(dir, 'app', true), 'run 0\n');
    writeFileSync(containerLogPath(dir, 'app', false), 'run 1\n');
    keepPreviousLog(dir, 'app');
    expect(readFileSync(containerLogPath(dir, 'app', true), 'utf8')).toBe('run 1\n');
    expect(existsSync(containerLogPath(dir, 'app', false))).toBe(false);
  });

  it('a run without output leaves nothing to keep and is not an error', () => {
    expect(() => keepPreviousLog(dir, 'silent')).not.toThrow();
  });
});
