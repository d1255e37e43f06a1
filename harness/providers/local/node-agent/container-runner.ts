// Starts one container as a process: in the pod's network namespace (or the
// node's, for hostNetwork), in a private mount and UTS namespace of its own
// where the pod's files (ServiceAccount token, volumes) are bind-mounted at
// their in-container paths and the hostname is the pod's. The exec chain
// (ip netns exec → unshare → sh → exec) keeps one pid from spawn to the
// container's program, so signals and exit status are the program's own.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { run } from '../../../../lib/exec.ts';
import { LogWriter } from './container-logs.ts';

export interface BindMount {
  /** Host path (a directory, or a file for subPath mounts of files). */
  source: string;
  /** Path inside the container. */
  target: string;
  readOnly: boolean;
  /** The source is a file: the mount point is made a file. */
  file?: boolean;
}

export interface ContainerLaunch {
  argv: string[];
  env: Record<string, string>;
  /** Pod network namespace; undefined = stay in the node's (hostNetwork). */
  netns: string | undefined;
  mounts: BindMount[];
  hostname: string;
  /** Container workingDir; used when it exists, else `fallbackDir`. */
  workingDir: string | undefined;
  fallbackDir: string;
  logFile: string;
}

export interface ContainerExit {
  exitCode: number;
  /** Signal number when the process was killed by one. */
  signal?: number;
  finishedAt: Date;
}

/** Single-quotes a word for sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The sh script that prepares the container's mount and UTS namespace, then execs "$@". */
export function setupScript(launch: Pick<ContainerLaunch, 'mounts' | 'hostname' | 'workingDir' | 'fallbackDir'>): string {
  const lines = ['set -e'];
  for (const m of launch.mounts) {
    const target = shellQuote(m.target);
    if (m.file) lines.push(`[ -e ${target} ] || { mkdir -p "$(dirname ${target})"; : > ${target}; }`);
    else lines.push(`mkdir -p ${target}`);
    lines.push(`mount --bind${m.readOnly ? ' -o ro' : ''} ${shellQuote(m.source)} ${target}`);
  }
  lines.push(`echo ${shellQuote(launch.hostname)} > /proc/sys/kernel/hostname`);
  const fallback = shellQuote(launch.fallbackDir);
  lines.push(launch.workingDir ? `cd ${shellQuote(launch.workingDir)} 2>/dev/null || cd ${fallback}` : `cd ${fallback}`);
  lines.push('exec "$@"');
  return lines.join('\n');
}

/** The full argv that starts a container. */
export function launchArgv(launch: ContainerLaunch): string[] {
  const netns = launch.netns ? ['ip', 'netns', 'exec', launch.netns] : [];
  return [...netns, 'unshare', '--mount', '--uts', '--propagation', 'private', '--', '/bin/sh', '-c', setupScript(launch), 'vc-container', ...launch.argv];
}

export class ContainerProcess {
  readonly pid: number;
  readonly startedAt: Date;
  readonly exited: Promise<ContainerExit>;
  private done = false;

  constructor(launch: ContainerLaunch) {
    const argv = launchArgv(launch);
    const writer = new LogWriter(launch.logFile);
    // Its own process group, so a stop reaches the program's children too.
    const child = spawn(argv[0], argv.slice(1), { env: launch.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, cwd: launch.fallbackDir });
    this.startedAt = new Date();
    child.stdout.on('data', (chunk: Buffer) => writer.write('stdout', chunk));
    child.stderr.on('data', (chunk: Buffer) => writer.write('stderr', chunk));
    this.exited = new Promise((resolve) => {
      let settled = false;
      const finish = (exit: ContainerExit) => {
        if (settled) return;
        settled = true;
        // Not "done" before the last lines are on disk: a log follower stops reading once it sees done.
        void writer.close().then(() => {
          this.done = true;
          resolve(exit);
        });
      };
      child.once('error', (error) => {
        writer.write('stderr', `vipcheck: cannot start container: ${error.message}\n`);
        finish({ exitCode: 128, finishedAt: new Date() });
      });
      child.once('exit', (code, signal) => {
        const exit: ContainerExit = signal
          ? { exitCode: 128 + constants.signals[signal], signal: constants.signals[signal], finishedAt: new Date() }
          : { exitCode: code ?? 0, finishedAt: new Date() };
        // Let the pipes drain, but not forever: a child left behind may hold them open.
        const drained = setTimeout(() => finish(exit), 500);
        child.once('close', () => {
          clearTimeout(drained);
          finish(exit);
        });
      });
    });
    this.pid = child.pid ?? -1;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Signals the container's process group. */
  signal(sig: NodeJS.Signals): void {
    if (this.done || this.pid <= 0) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      try {
        process.kill(this.pid, sig);
      } catch {
        // already gone
      }
    }
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves with the exit. */
  async stop(graceMs: number): Promise<ContainerExit> {
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }
}

/** Runs a command in a running container's mount, network and UTS namespaces, like `kubectl exec`; resolves with its exit code. */
export async function execInContainer(pid: number, argv: string[], timeoutMs: number): Promise<number> {
  const result = await run(['nsenter', '-t', String(pid), '-m', '-n', '-u', '--', ...argv], { reject: false, timeoutMs, env: { PATH: process.env.PATH ?? '' } });
  return result.exitCode;
}
