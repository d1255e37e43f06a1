// The state file of the running local environment: how `status`, `down`
// and the suites find what `up` left running.
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TopologyPlan } from './topology.ts';

export const DEFAULT_RUN_DIR = path.join(os.tmpdir(), 'vc-env');

export interface EnvironmentState {
  phase: 'starting' | 'ready' | 'failed' | 'stopping';
  supervisorPid: number;
  runDir: string;
  kubeconfig: string;
  kubernetesVersion: string;
  nodes: number;
  plan?: TopologyPlan;
  startedAt: string;
  /** Time from start to all Nodes Ready. */
  readyMs?: number;
  error?: string;
  /** Recent progress lines, for `up` to show. */
  progress: string[];
}

export function stateFile(runDir = DEFAULT_RUN_DIR): string {
  return path.join(runDir, 'state.json');
}

export function readState(runDir = DEFAULT_RUN_DIR): EnvironmentState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(runDir), 'utf8')) as EnvironmentState;
  } catch {
    return undefined;
  }
}

export function writeState(state: EnvironmentState): void {
  mkdirSync(state.runDir, { recursive: true });
  const file = stateFile(state.runDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}
