// Keeps the TOR's kernel FIB in step with GoBGP's RIB. gobgpd 3.10 cannot
// program the kernel itself here (its zebra client panics against bookworm's
// FRR), so this follows `gobgp monitor global rib -j --current` and installs
// each prefix's equal-cost set with `ip route replace … proto bgp nexthop via
// A nexthop via B`, or deletes it when the last path leaves. Changes are
// applied in batches through `ip -force -batch -`.
//
// On every (re)start of the monitor it resynchronises from `gobgp global rib
// -j` and removes `proto bgp` routes the RIB no longer has. A monitor that
// dies is restarted with bounded backoff.
//
// Runnable on its own (e.g. in a TOR container):
//   node harness/tor/route-sync.ts [--netns vc-tor] [--api-port 50051] [--api-host 127.0.0.1]
import { parseArgs } from 'node:util';
import { run, spawnProcess } from '../../lib/exec.ts';
import { parseFib, parseMonitorLine, parseNeighbors, parseRib } from './rib.ts';
import { compareAddresses } from '../../lib/net/index.ts';

export interface RouteSyncOptions {
  /** Namespace where gobgp and ip run; absent = the current one. */
  netns?: string;
  apiPort?: number;
  apiHost?: string;
  /** Which neighbors are iBGP peers (for the multipath rule when reading a full RIB dump); asked from gobgpd when absent. */
  isInternal?: (neighbor: string) => boolean;
  logger?: (line: string) => void;
}

export interface RouteSyncStats {
  monitorLines: number;
  /** Route changes handed to the kernel. */
  applied: number;
  resyncs: number;
  monitorRestarts: number;
  lastError?: string;
}

const MIN_RESTART_MS = 500;
const MAX_RESTART_MS = 10_000;

type Subprocess = ReturnType<typeof spawnProcess>;

export class RouteSync {
  private readonly options: RouteSyncOptions;
  private monitor: Subprocess | undefined;
  private stopping = false;
  /** prefix → next hops (null: delete) waiting for the kernel. */
  private pending = new Map<string, string[] | null>();
  /** What this process last installed: prefix → "A,B". */
  private readonly installed = new Map<string, string>();
  private needResync = false;
  private flushing: Promise<void> | undefined;
  private restartDelay = MIN_RESTART_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private firstSync: { resolve: () => void; promise: Promise<void> };
  readonly stats: RouteSyncStats = { monitorLines: 0, applied: 0, resyncs: 0, monitorRestarts: 0 };

  constructor(options: RouteSyncOptions = {}) {
    this.options = options;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => { resolve = r; });
    this.firstSync = { resolve, promise };
  }

  /** Starts following the RIB; resolves after the first full resync. */
  async start(): Promise<void> {
    this.stopping = false;
    this.startMonitor();
    await this.firstSync.promise;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const monitor = this.monitor;
    this.monitor = undefined;
    if (monitor) {
      monitor.kill('SIGTERM');
      await monitor;
    }
    await this.flushing;
  }

  private gobgp(args: string[]): string[] {
    return ['gobgp', '-u', this.options.apiHost ?? '127.0.0.1', '-p', String(this.options.apiPort ?? 50051), ...args];
  }

  private log(line: string): void {
    this.options.logger?.(`route-sync: ${line}`);
  }

  private startMonitor(): void {
    if (this.stopping) return;
    // --current makes gobgpd send the table first: the first line proves the subscription is live.
    const monitor = spawnProcess(this.gobgp(['monitor', 'global', 'rib', '-j', '--current', '-a', 'ipv4']), {
      netns: this.options.netns, buffer: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe',
    });
    this.monitor = monitor;
    let partial = '';
    let first = true;
    monitor.stdout?.setEncoding('utf8');
    monitor.stdout?.on('data', (chunk: string) => {
      if (this.monitor !== monitor) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        this.stats.monitorLines++;
        if (first) {
          // Subscribed: everything queued so far predates the dump that follows.
          first = false;
          this.restartDelay = MIN_RESTART_MS;
          this.needResync = true;
          this.pending.clear();
          continue;
        }
        try {
          for (const [prefix, nextHops] of parseMonitorLine(line)) this.pending.set(prefix, nextHops);
        } catch (error) {
          this.stats.lastError = `unreadable monitor line: ${(error as Error).message}`;
          this.log(this.stats.lastError);
          this.needResync = true;
        }
      }
      this.scheduleFlush();
    });
    monitor.stderr?.setEncoding('utf8');
    monitor.stderr?.on('data', (text: string) => this.log(`monitor: ${text.trim()}`));
    void monitor.then((result) => {
      if (this.monitor !== monitor || this.stopping) return;
      this.monitor = undefined;
      this.stats.monitorRestarts++;
      this.stats.lastError = `gobgp monitor exited (${result.exitCode ?? result.signal ?? 'unknown'})`;
      this.log(`${this.stats.lastError}; restarting in ${this.restartDelay} ms`);
      this.restartTimer = setTimeout(() => this.startMonitor(), this.restartDelay);
      this.restartDelay = Math.min(MAX_RESTART_MS, this.restartDelay * 2);
    });
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      // Yield once so that a burst of monitor lines lands in one batch.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        while (!this.stopping && (this.needResync || this.pending.size > 0)) {
          if (this.needResync) {
            this.needResync = false;
            await this.resync();
          }
          if (this.pending.size > 0) {
            const batch = this.pending;
            this.pending = new Map();
            await this.apply(batch);
          }
        }
      } catch (error) {
        this.stats.lastError = (error as Error).message;
        this.log(`sync failed: ${this.stats.lastError}; resyncing`);
        this.needResync = true;
        if (!this.stopping) setTimeout(() => this.scheduleFlush(), 1000);
      } finally {
        this.flushing = undefined;
      }
    })();
  }

  /** Makes the kernel's `proto bgp` routes equal to the RIB's equal-cost sets. */
  private async resync(): Promise<void> {
    const { netns } = this.options;
    const [rib, fib] = await Promise.all([
      run(this.gobgp(['global', 'rib', '-j', '-a', 'ipv4']), { netns, timeoutMs: 60_000 }),
      run(['ip', '-j', 'route', 'show', 'proto', 'bgp'], { netns }),
    ]);
    const isInternal = this.options.isInternal ?? await this.internalNeighbors();
    const desired = new Map<string, string[] | null>();
    for (const route of parseRib(rib.stdout, isInternal)) desired.set(route.prefix, route.nextHops);
    const kernel = parseFib(fib.stdout);
    this.installed.clear();
    for (const [prefix, gateways] of kernel) this.installed.set(prefix, gateways.join(','));
    for (const prefix of kernel.keys()) if (!desired.has(prefix)) desired.set(prefix, null);
    this.stats.resyncs++;
    await this.apply(desired);
    this.log(`resynced: ${[...desired.values()].filter(Boolean).length} prefixes in the RIB, ${kernel.size} were in the kernel`);
    this.firstSync.resolve();
  }

  /** iBGP peers are those in gobgpd's own AS (`gobgp global -j`, `gobgp neighbor -j`). */
  private async internalNeighbors(): Promise<(neighbor: string) => boolean> {
    const [global, neighbors] = await Promise.all([
      run(this.gobgp(['global', '-j']), { netns: this.options.netns }),
      run(this.gobgp(['neighbor', '-j']), { netns: this.options.netns }),
    ]);
    const localAsn = (JSON.parse(global.stdout) as { asn?: number }).asn;
    const asns = new Map(parseNeighbors(neighbors.stdout).map((n) => [n.address, n.asn]));
    return (neighbor) => asns.get(neighbor) === localAsn;
  }

  /** pid of the running `gobgp monitor` (for tests that make it die). */
  get monitorPid(): number | undefined {
    return this.monitor?.pid;
  }

  private async apply(changes: Map<string, string[] | null>): Promise<void> {
    const commands: string[] = [];
    const prefixes: string[] = [];
    for (const [prefix, nextHops] of changes) {
      const key = nextHops ? [...nextHops].sort(compareAddresses).join(',') : null;
      if ((this.installed.get(prefix) ?? null) === key) continue;
      if (key === null) {
        commands.push(`route del ${prefix} proto bgp`);
        this.installed.delete(prefix);
      } else {
        commands.push(`route replace ${prefix} proto bgp ${key.split(',').map((hop) => `nexthop via ${hop}`).join(' ')}`);
        this.installed.set(prefix, key);
      }
      prefixes.push(prefix);
    }
    if (commands.length === 0) return;
    const result = await run(['ip', '-force', '-batch', '-'], { netns: this.options.netns, input: `${commands.join('\n')}\n`, reject: false, timeoutMs: 60_000 });
    this.stats.applied += commands.length;
    if (result.exitCode !== 0) {
      // -force carries on past a failed line and names it ("Command failed -:N"); forget those so a resync retries them.
      for (const match of result.stderr.matchAll(/Command failed -:(\d+)/g)) {
        const prefix = prefixes[Number(match[1]) - 1];
        if (prefix && !commands[Number(match[1]) - 1].startsWith('route del')) this.installed.delete(prefix);
      }
      const detail = result.stderr.split('\n').filter((l) => !/No such process/.test(l)).slice(0, 6).join('; ');
      if (detail.replace(/Command failed -:\d+;?\s*/g, '').trim()) {
        this.stats.lastError = `ip -batch: ${detail}`;
        this.log(this.stats.lastError);
      }
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { netns: { type: 'string' }, 'api-port': { type: 'string' }, 'api-host': { type: 'string' } },
    strict: true,
  });
  const apiPort = values['api-port'] === undefined ? undefined : Number(values['api-port']);
  if (apiPort !== undefined && !(Number.isInteger(apiPort) && apiPort > 0 && apiPort < 65536)) {
    throw new Error(`--api-port "${values['api-port']}" is not a port number`);
  }
  const sync = new RouteSync({
    netns: values.netns, apiPort, apiHost: values['api-host'],
    logger: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  const shutdown = async () => {
    await sync.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  await sync.start();
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`route-sync: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
