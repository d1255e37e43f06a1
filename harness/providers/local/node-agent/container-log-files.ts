// Where a container's output goes: one file for the current run and one for
// the run before it (the kubelet keeps exactly that for `kubectl logs
// --previous`), and which of them a log request means. What is inside a
// file is container-logs.ts's business.
import { renameSync } from 'node:fs';
import path from 'node:path';
import type { ContainerLifecycle } from './container-lifecycle.ts';

export interface LogLocation {
  file: string;
  /** The run is still going: a follow keeps reading until this turns false. */
  isRunning: () => boolean;
}

export function logDir(podDir: string): string {
  return path.join(podDir, 'logs');
}

export function containerLogPath(podDir: string, container: string, previous: boolean): string {
  return path.join(logDir(podDir), `${container}${previous ? '.previous' : ''}.log`);
}

/** Before a restart: the current run's log becomes the previous one (synchronously: the new run appends to the name next). */
export function keepPreviousLog(podDir: string, container: string): void {
  try {
    renameSync(containerLogPath(podDir, container, false), containerLogPath(podDir, container, true));
  } catch {
    // no output yet
  }
}

/** Which log file `kubectl logs` means, by the kubelet's rules; a string is the error to return. */
export function logLocation(podDir: string, podName: string, container: ContainerLifecycle, previous: boolean): LogLocation | string {
  const name = container.name;
  const state = container.runtime.state;
  const runFile = (run: number): LogLocation | undefined => {
    if (run >= 0 && run === container.latestRun) {
      return { file: containerLogPath(podDir, name, false), isRunning: () => container.latestRun === run && container.running };
    }
    if (run >= 0 && run === container.latestRun - 1) return { file: containerLogPath(podDir, name, true), isRunning: () => false };
    return undefined;
  };
  if (previous) {
    const found = container.runtime.lastTermination ? runFile(container.lastTerminationRun) : undefined;
    return found ?? `previous terminated container "${name}" in pod "${podName}" not found`;
  }
  if (state.kind === 'running' || state.kind === 'terminated') return runFile(container.latestRun)!;
  if (container.runtime.lastTermination) {
    return runFile(container.lastTerminationRun) ?? `container "${name}" in pod "${podName}" is terminated`;
  }
  if (state.reason === 'ErrImagePull') return `container "${name}" in pod "${podName}" is waiting to start: image can't be pulled`;
  if (state.reason === 'ImagePullBackOff') return `container "${name}" in pod "${podName}" is waiting to start: trying and failing to pull image`;
  return `container "${name}" in pod "${podName}" is waiting to start: ${state.reason}`;
}
