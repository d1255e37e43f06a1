// Where scripts/build-control-plane.sh leaves the Kubernetes binaries it
// builds (etcd, kube-apiserver, …): a cache outside the repo, keyed by the
// version pinned in versions.json.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.ts';

export interface Versions {
  kubernetes: string;
}

export async function readVersions(): Promise<Versions> {
  return JSON.parse(await readFile(path.join(REPO_ROOT, 'versions.json'), 'utf8')) as Versions;
}

export function cacheDir(): string {
  return process.env.VIPCHECK_CACHE ?? path.join(os.homedir(), '.cache', 'vipcheck');
}

/** Where the built control-plane binaries are; throws with the command to run when they are missing. */
export async function controlPlaneBinDir(): Promise<string> {
  const { kubernetes } = await readVersions();
  const bin = path.join(cacheDir(), `k8s-${kubernetes}`, 'bin');
  if (!existsSync(path.join(bin, '.complete'))) {
    throw new Error(`the control plane ${kubernetes} is not built (${bin} is missing); run: bash scripts/build-control-plane.sh`);
  }
  return bin;
}
