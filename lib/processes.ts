// Long-running child processes whose output goes to a log file. The file
// descriptor is handed to the child, so its log survives the parent.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { inNetns } from './exec.ts';
import { sleep } from './wait.ts';

export interface ProcessSpec {
  /** Short name used in messages ("kube-apiserver", "agent vc-node-1"). */
  name: string;
  argv: string[];
  netns?: string;
  logFile: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly spec: ProcessSpec;
  private child: ChildProcess | undefined;
  private stopping = false;
  readonly exited: Promise<ExitStatus>;
  private resolveExit!: (status: ExitStatus) => void;
  /** Called when the process exits without stop() having been asked. */
  onUnexpectedExit: ((status: ExitStatus) => void) | undefined;

  constructor(spec: ProcessSpec) {
    this.spec = spec;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): this {
    const fd = openSync(this.spec.logFile, 'a');
    const argv = inNetns(this.spec.netns, this.spec.argv);
    try {
      this.child = spawn(argv[0], argv.slice(1), {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, ...this.spec.env },
        cwd: this.spec.cwd,
      });
    } finally {
      closeSync(fd);
    }
    this.child.on('error', (error) => {
      this.resolveExit({ code: -1, signal: null });
      if (!this.stopping) this.onUnexpectedExit?.({ code: -1, signal: null });
      void error;
    });
    this.child.on('exit', (code, signal) => {
      this.resolveExit({ code, signal });
      if (!this.stopping) this.onUnexpectedExit?.({ code, signal });
    });
    return this;
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const gone = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!gone) {
      child.kill('SIGKILL');
      await Promise.race([this.exited, sleep(3000)]);
    }
  }
}
