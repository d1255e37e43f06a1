// Our BGP speaker (impl/speaker/bgp/cli.ts) as a process inside a node's
// network namespace, for integration tests and the benchmark: send it
// announce/withdraw commands, watch its session state, stop or kill it.
import { fileURLToPath } from 'node:url';
import { spawnProcess } from '../../lib/exec.ts';
import { waitUntil } from '../../lib/wait.ts';
import type { BgpSessionSettings } from '../../lib/bgp-session-settings.ts';

export const SPEAKER_CLI = fileURLToPath(new URL('../../impl/speaker/bgp/cli.ts', import.meta.url));

/** The session settings our BGP speaker's CLI takes as flags, plus where the process runs. */
export interface SpeakerProcessOptions extends BgpSessionSettings {
  netns: string;
  /** File for the speaker's log (stderr). */
  logPath: string;
}

export interface SpeakerEvent {
  event: string;
  [key: string]: unknown;
}

export class SpeakerProcess {
  readonly netns: string;
  readonly events: SpeakerEvent[] = [];
  private readonly process: ReturnType<typeof spawnProcess>;
  private currentState = 'Idle';
  private exitInfo: string | undefined;

  constructor(options: SpeakerProcessOptions) {
    this.netns = options.netns;
    const args = [
      process.execPath, SPEAKER_CLI,
      '--peer', options.peerAddress, '--my-asn', String(options.myAsn), '--peer-asn', String(options.peerAsn), '--router-id', options.routerId,
    ];
    const optional: [string, string | number | undefined][] = [
      ['--port', options.peerPort], ['--local-address', options.localAddress], ['--hold', options.holdTimeSec],
      ['--keepalive', options.keepaliveSec], ['--connect-retry', options.connectRetrySec],
    ];
    for (const [flag, value] of optional) if (value !== undefined) args.push(flag, String(value));
    this.process = spawnProcess(args, {
      netns: options.netns, stdin: 'pipe', stdout: 'pipe', stderr: { file: options.logPath, append: true }, buffer: false,
    });
    let partial = '';
    this.process.stdout?.setEncoding('utf8');
    this.process.stdout?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          const event = JSON.parse(line) as SpeakerEvent;
          this.events.push(event);
          if (event.event === 'state' && typeof event.state === 'string') this.currentState = event.state;
        } catch {
          this.events.push({ event: 'unparsed', line });
        }
      }
    });
    void this.process.then((r) => { this.exitInfo = `exited (${r.exitCode ?? r.signal ?? 'unknown'})`; });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get state(): string {
    return this.currentState;
  }

  get exited(): string | undefined {
    return this.exitInfo;
  }

  private send(command: object): void {
    if (this.exitInfo) throw new Error(`speaker in ${this.netns} has ${this.exitInfo}; cannot send ${JSON.stringify(command)}`);
    this.process.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  announce(prefixes: string[], attributes: { localPref?: number; communities?: (string | number)[] } = {}): void {
    this.send({ op: 'announce', prefixes, ...attributes });
  }

  withdraw(prefixes: string[]): void {
    this.send({ op: 'withdraw', prefixes });
  }

  async waitForState(state: string, timeoutMs: number): Promise<void> {
    await waitUntil(`speaker in ${this.netns} to reach ${state}`, () => this.exitInfo ?? this.currentState, (s) => s === state, { timeoutMs, intervalMs: 50 });
  }

  /** Graceful stop (Cease NOTIFICATION), then waits for the process. */
  async stop(): Promise<void> {
    if (this.exitInfo) return;
    this.process.stdin?.end();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    await this.process;
    clearTimeout(timer);
  }

  /** SIGKILL: no NOTIFICATION, the kernel closes the socket. */
  async kill(): Promise<void> {
    if (this.exitInfo) return;
    this.process.kill('SIGKILL');
    await this.process;
  }
}
