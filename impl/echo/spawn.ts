// Starts a real echo process outside Kubernetes (tests, benchmarks) and
// learns its ports from the one JSON line it prints when listening. The same
// mechanism starts the proxy (spawnListening), which prints such a line too.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultPromise } from 'execa';
import { spawnProcess } from '../../lib/exec.ts';
import { withTimeout } from '../../lib/wait.ts';

export const ECHO_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

/** A started node program that printed {"msg":"listening", …ports}. */
export interface ListeningProcess {
  /** The listening line's fields (port numbers by listener name, null when off). */
  readonly listening: Record<string, number | null>;
  readonly pid: number;
  readonly child: ResultPromise;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
}

export interface EchoProcess extends ListeningProcess {
  readonly httpPort: number;
  readonly tlsPort: number | null;
}

export interface SpawnOptions {
  /** Extra env merged over the parent's. */
  env?: Record<string, string>;
  /** Run inside this network namespace. */
  netns?: string;
  startTimeoutMs?: number;
}

/** Runs `node script ...args` and waits (bounded) for its listening line. */
export async function spawnListening(script: string, args: string[], options: SpawnOptions = {}): Promise<ListeningProcess> {
  const child = spawnProcess([process.execPath, script, ...args], {
    netns: options.netns,
    env: { ...process.env, ...options.env },
    extendEnv: false,
    buffer: false,
  });
  let output = '';
  let exited = false;
  void child.then(() => (exited = true));
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (output += chunk));
  const listening = new Promise<Record<string, number | null>>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      for (const line of output.split('\n')) {
        if (!line.startsWith('{"msg":"listening"')) continue;
        try {
          const { msg: _msg, ...ports } = JSON.parse(line) as { msg: string } & Record<string, number | null>;
          resolve(ports);
        } catch {
          // a partial line; the rest comes with the next chunk
        }
      }
    });
    child.then((result) => reject(new Error(`${script} exited (code ${result.exitCode ?? result.signal}) before listening; output: ${output.trim()}`)));
  });
  const ports = await withTimeout(`${script} to print its listening line`, listening, options.startTimeoutMs ?? 15_000).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    listening: ports,
    pid: child.pid!,
    child,
    output: () => output,
    stop: async (graceMs = 5_000) => {
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await child;
      clearTimeout(timer);
      return result.exitCode ?? null;
    },
  };
}

/** Starts impl/echo/main.ts; `--port 0` unless args name a port, so the kernel picks a free one. */
export async function spawnEcho(options: SpawnOptions & { args?: string[] } = {}): Promise<EchoProcess> {
  const args = options.args ?? [];
  const withPort = args.some((a) => a === '--port' || a.startsWith('--port=')) ? args : ['--port', '0', ...args];
  const started = await spawnListening(ECHO_MAIN, withPort, options);
  return Object.assign(started, { httpPort: started.listening.http as number, tlsPort: started.listening.https ?? null });
}
