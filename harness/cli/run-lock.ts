// One `vipcheck run` per cluster at a time: a run installs its target and
// rewrites the MetalLB ConfigMap, so a second run on the same cluster would
// replace the first one's controller under its feet. The lock is a file named
// after the cluster's API server, created atomically, holding the runner's
// pid; a holder that died is reclaimed by the next run.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alive } from '../../lib/pids.ts';

export interface RunLockHolder {
  pid: number;
  cluster: string;
  target: string;
  since: string;
}

export class RunLockedError extends Error {
  readonly holder: RunLockHolder;
  constructor(holder: RunLockHolder) {
    super(`another vipcheck run is using ${holder.cluster} (pid ${holder.pid}, target ${holder.target}, since ${holder.since}); wait for it to finish or stop it`);
    this.name = 'RunLockedError';
    this.holder = holder;
  }
}

export function runLockFile(cluster: string, dir = os.tmpdir()): string {
  return path.join(dir, `vc-run-${createHash('sha256').update(cluster).digest('hex').slice(0, 12)}.lock`);
}

/** The live run holding `cluster`, if any. */
export function runLockHolder(cluster: string, dir = os.tmpdir()): RunLockHolder | undefined {
  const holder = readHolder(runLockFile(cluster, dir));
  return holder && alive(holder.pid) ? holder : undefined;
}

function readHolder(file: string): RunLockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunLockHolder;
  } catch {
    return undefined; // gone, or half-written by a runner that died while writing it
  }
}

/**
 * Takes the run lock of `cluster` for this process and returns its release.
 * Throws RunLockedError while another live process holds it.
 */
export function acquireRunLock(cluster: string, target: string, options: { dir?: string; pid?: number } = {}): () => void {
  const file = runLockFile(cluster, options.dir);
  const pid = options.pid ?? process.pid;
  const mine: RunLockHolder = { pid, cluster, target, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' }); // fails if the file exists: no two winners
      return () => {
        if (readHolder(file)?.pid === pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = readHolder(file);
    if (!holder) {
      // Possibly created a moment ago and not written yet: look again before calling it dead.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      holder = readHolder(file);
    }
    if (holder && holder.pid !== pid && alive(holder.pid)) throw new RunLockedError(holder);
    rmSync(file, { force: true }); // a dead runner's lock
  }
  throw new Error(`could not take the run lock ${file}: it keeps coming back`);
}
