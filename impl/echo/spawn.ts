// Starts a real echo process outside Kubernetes (tests, benchmarks) and
// learns its ports from the one JSON line it prints when listening.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultPromise } from 'execa';
import { spawnProcess } from '../../harness/util/exec.ts';
import { withTimeout } from '../../harness/util/wait.ts';

export const ECHO_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

export interface EchoProcess {
  readonly httpPort: number;
  readonly tlsPort: number | null;
  readonly pid: number;
  readonly child: ResultPromise;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnEchoOptions {
  /** Extra flags; `--port 0` is the default so the kernel picks a free port. */
  args?: string[];
  /** Identity and settings env (POD_NAME, …); merged over the parent's env. */
  env?: Record<string, string>;
  /** Run inside this network namespace. */
  netns?: string;
  startTimeoutMs?: number;
}

export async function spawnEcho(options: SpawnEchoOptions = {}): Promise<EchoProcess> {
  const args = options.args ?? [];
  const withPort = args.some((a) => a === '--port' || a.startsWith('--port=')) ? args : ['--port', '0', ...args];
  const child = spawnProcess([process.execPath, ECHO_MAIN, ...withPort], {
    netns: options.netns,
    env: { ...process.env, ...options.env },
    extendEnv: false,
    buffer: false,
  });
  let output = '';
  let stopped = false;
  void child.then(() => (stopped = true));
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (output += chunk));
  const listening = new Promise<{ http: number; https: number | null }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      for (const line of output.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const event = JSON.parse(line) as { msg?: string; http?: number; https?: number | null };
          if (event.msg === 'listening' && typeof event.http === 'number') resolve({ http: event.http, https: event.https ?? null });
        } catch {
          // a partial line; the rest comes with the next chunk
        }
      }
    });
    child.then((result) => reject(new Error(`echo exited (code ${result.exitCode ?? result.signal}) before listening; output: ${output.trim()}`)));
  });
  const ports = await withTimeout(`echo ${ECHO_MAIN} to print its listening line`, listening, options.startTimeoutMs ?? 15_000).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    httpPort: ports.http,
    tlsPort: ports.https,
    pid: child.pid!,
    child,
    output: () => output,
    stop: async (graceMs = 5_000) => {
      if (!stopped) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await child;
      clearTimeout(timer);
      return result.exitCode ?? null;
    },
  };
}
