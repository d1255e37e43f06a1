// The state file of a kind environment: what `up` made, so that a later
// `status`, `down` or `run` (another process) finds it. The cluster and the
// router containers outlive the process that made them.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface KindState {
  cluster: string;
  workers: number;
  network: string;
  subnet: string;
  /** The host's address on the kind network: where outside-client traffic comes from. */
  clientAddress: string;
  tor: { container: string; address: string };
  ibgpRouter: { container: string; address: string };
  /** The host route to the VIP pool through the TOR, when one was installed. */
  hostRoute?: { cidr: string; via: string };
  kubernetesVersion: string;
  createdAt: string;
}

export const DEFAULT_ID = 'kind';

export function clusterName(id: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(id)) throw new Error(`kind environment id must be 1-31 characters [a-z0-9-], got ${JSON.stringify(id)}`);
  return `vc-${id}`;
}

export function runDirOf(cluster: string): string {
  return path.join(os.tmpdir(), cluster);
}

export function kubeconfigOf(cluster: string): string {
  return path.join(runDirOf(cluster), 'kubeconfig');
}

function stateFile(cluster: string): string {
  return path.join(runDirOf(cluster), 'state.json');
}

export function readKindState(cluster: string): KindState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(cluster), 'utf8')) as KindState;
  } catch {
    return undefined;
  }
}

export function writeKindState(state: KindState): void {
  const file = stateFile(state.cluster);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}
