// `vipcheck up`, `down` and `status` for the local provider: start the
// supervisor detached, follow its progress, and take everything down.
import { spawn } from 'node:child_process';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { reclaimAll, listNetns } from '../../../lib/netns/netns.ts';
import { alive, killPids } from '../../../lib/pids.ts';
import { currentOwner, releaseOwnership } from '../../../lib/netns/ownership.ts';
import { sleep } from '../../../lib/wait.ts';
import { NODE } from './images.ts';
import { REPO_ROOT } from '../../../lib/repo-root.ts';
import { ensurePackages } from './prerequisites.ts';
import { DEFAULT_RUN_DIR, readState, type EnvironmentState } from './state.ts';
import { run } from '../../../lib/exec.ts';

const SUPERVISOR = path.join(REPO_ROOT, 'harness/providers/local/supervisor.ts');

export interface UpOptions {
  nodes: number;
  runDir?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** The running environment, if its supervisor is alive. */
export function runningEnvironment(runDir = DEFAULT_RUN_DIR): EnvironmentState | undefined {
  const state = readState(runDir);
  return state && alive(state.supervisorPid) ? state : undefined;
}

/** Brings an environment up (or finds the one that is up) and returns its state once Ready. */
export async function up(options: UpOptions): Promise<EnvironmentState> {
  const runDir = options.runDir ?? DEFAULT_RUN_DIR;
  const log = options.log ?? (() => {});
  const existing = runningEnvironment(runDir);
  if (existing?.phase === 'ready') {
    if (existing.nodes !== options.nodes) {
      throw new Error(`an environment with ${existing.nodes} nodes is already up; run "vipcheck down" first to get ${options.nodes}`);
    }
    log(`already up (supervisor pid ${existing.supervisorPid})`);
    return existing;
  }
  if (existing) await stopSupervisor(existing.supervisorPid);
  await ensurePackages(log);
  await reclaimStale(log);

  mkdirSync(runDir, { recursive: true });
  const logFile = path.join(path.dirname(runDir), `${path.basename(runDir)}-supervisor.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(NODE, [SUPERVISOR, '--nodes', String(options.nodes), '--run-dir', runDir], {
    detached: true, // its own session: it outlives `up`, and a Ctrl-C of `up` does not reach it
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.unref();
  const pid = child.pid!;

  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  let shown = 0;
  for (;;) {
    const state = readState(runDir);
    if (state && state.supervisorPid === pid) {
      for (const line of state.progress.slice(shown)) log(line);
      shown = state.progress.length;
      if (state.phase === 'ready') return state;
      if (state.phase === 'failed') throw new Error(`the environment failed to start: ${state.error}; supervisor log: ${logFile}`);
    } else {
      shown = 0;
    }
    if (!alive(pid)) throw new Error(`the supervisor exited before the environment was ready; see ${logFile}`);
    if (Date.now() > deadline) {
      await stopSupervisor(pid);
      throw new Error(`the environment was not ready within ${Math.round((options.timeoutMs ?? 180_000) / 1000)} s; last progress: ${state?.progress.at(-1) ?? 'none'}; see ${logFile}`);
    }
    await sleep(200);
  }
}

/** Stops the supervisor (which tears the environment down) and removes anything of ours that is left. */
export async function down(options: { runDir?: string; log?: (line: string) => void } = {}): Promise<{ removed: string[] }> {
  const runDir = options.runDir ?? DEFAULT_RUN_DIR;
  const state = readState(runDir);
  if (state && alive(state.supervisorPid)) {
    options.log?.(`stopping the supervisor (pid ${state.supervisorPid})`);
    await stopSupervisor(state.supervisorPid);
  }
  const removed = await reclaimStale(options.log);
  await rm(runDir, { recursive: true, force: true });
  return { removed };
}

async function stopSupervisor(pid: number): Promise<void> {
  await killPids([pid], 60_000);
}

/** Removes what a dead run left: namespaces, links, the owner record. Refuses while a live owner holds them. */
async function reclaimStale(log?: (line: string) => void): Promise<string[]> {
  const owner = currentOwner();
  if (owner) {
    throw new Error(`another vipcheck environment is in use (pid ${owner.pid}: ${owner.what}); stop it first`);
  }
  releaseOwnership();
  const { netns, links } = await reclaimAll();
  const removed = [...netns, ...links];
  if (removed.length) log?.(`reclaimed: ${removed.join(', ')}`);
  return removed;
}

export interface StatusReport {
  up: boolean;
  state?: EnvironmentState;
  namespaces: string[];
}

export async function status(runDir = DEFAULT_RUN_DIR): Promise<StatusReport> {
  const state = runningEnvironment(runDir);
  return { up: state?.phase === 'ready', state, namespaces: await listNetns() };
}

/** kubectl-style readiness summary used by `status`. */
export async function describeNodes(kubeconfig: string): Promise<string> {
  const { stdout, stderr, exitCode } = await run(['kubectl', '--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'wide'], { reject: false, timeoutMs: 10_000 });
  return exitCode === 0 ? stdout : `kubectl: ${stderr}`;
}
