// Running commands: one place that turns a failed command into an error that
// says which command, in which network namespace, and what it printed.
import { execa, type Options, type ResultPromise } from 'execa';

export class CommandError extends Error {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stderr: string;
  constructor(command: string, exitCode: number | undefined, stderr: string) {
    super(`command failed (exit ${exitCode ?? 'signal'}): ${command}${stderr ? `\n${stderr.trim()}` : ''}`);
    this.name = 'CommandError';
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export interface RunOptions {
  /** Network namespace to run in (`ip netns exec NS …`). */
  netns?: string;
  input?: string;
  timeoutMs?: number;
  /** Do not throw on a non-zero exit; the caller reads exitCode. */
  reject?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Wraps argv to run inside a network namespace when one is given. */
export function inNetns(netns: string | undefined, argv: string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
}

export async function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const full = inNetns(options.netns, argv);
  const result = await execa(full[0], full.slice(1), {
    input: options.input,
    timeout: options.timeoutMs ?? 30_000,
    reject: false,
    env: options.env,
    cwd: options.cwd,
    stripFinalNewline: true,
  });
  const exitCode = result.exitCode ?? -1;
  if (exitCode !== 0 && options.reject !== false) {
    const why = result.timedOut ? `timed out after ${options.timeoutMs ?? 30_000} ms` : String(result.stderr ?? '');
    throw new CommandError(full.join(' '), result.exitCode, why);
  }
  return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode };
}

/** Starts a long-running process (optionally in a netns); the caller owns it. */
export function spawnProcess(argv: string[], options: { netns?: string } & Options = {}): ResultPromise {
  const { netns, ...rest } = options;
  const full = inNetns(netns, argv);
  return execa(full[0], full.slice(1), { reject: false, ...rest });
}
