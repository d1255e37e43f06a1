// The TOR router: a real gobgpd in the TOR namespace that accepts the node
// speakers as dynamic neighbors, plus route-sync, which installs what GoBGP
// learns into the TOR's kernel so packets to a VIP really go to the nodes.
// Suites read the RIB, the FIB and the neighbors through this class and wait
// on them with bounded, self-describing waits.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, spawnProcess } from '../../lib/exec.ts';
import { waitFor, withTimeout, sleep } from '../../lib/wait.ts';
import { writeTorConfig, type StaticNeighbor } from './config.ts';
import { parseFib, parseNeighbors, parseRib, type Neighbor, type Route } from './rib.ts';
import { compareAddresses } from '../../lib/net/index.ts';
import { RouteSync, type RouteSyncStats } from './route-sync.ts';

export type { Neighbor, Route, RoutePath } from './rib.ts';
export type { StaticNeighbor } from './config.ts';

export interface TorOptions {
  netns: string;
  routerId: string;
  asn: number;
  /** The TOR's fabric address: gobgpd listens here. */
  listenAddress: string;
  /** Node subnet whose speakers may dial in, e.g. 198.18.0.0/24. */
  dynamicNeighborPrefix: string;
  /** AS of the node speakers: equal to asn → iBGP, different → eBGP. */
  peerAsn: number;
  holdTimeSec?: number;
  keepaliveSec?: number;
  /** Logs and the generated config go here. */
  runDir: string;
  /** gobgpd's gRPC port on the TOR namespace's loopback (default 50051). */
  apiPort?: number;
  staticNeighbors?: StaticNeighbor[];
  /** false: a router whose RIB is checked but whose routes do not enter the kernel FIB (no route-sync). Default true. */
  programFib?: boolean;
}

/** How to reach a router that another process runs (the supervisor of `vipcheck up`, or a container of the kind provider). */
export interface TorAttachment {
  /** Its network namespace (local provider) … */
  netns?: string;
  /** … or its container (kind provider): commands run through `docker exec`. */
  container?: string;
  apiPort: number;
  /** The router's own address and AS. */
  address: string;
  asn: number;
  /** The AS its dynamic neighbors (the node speakers) speak from. */
  peerAsn?: number;
  programsFib: boolean;
  /** Where its logs are, for dumps. */
  runDir?: string;
}

const START_TIMEOUT_MS = 20_000;
const POLL_MS = 50;

type Subprocess = ReturnType<typeof spawnProcess>;

export class Tor {
  readonly netns: string;
  readonly asn: number;
  readonly routerId: string;
  readonly listenAddress: string;
  readonly apiPort: number;
  readonly runDir: string;
  readonly configPath: string;
  readonly logPath: string;
  private readonly options: TorOptions;
  /** Whether this router's RIB is programmed into the kernel FIB. */
  readonly programsFib: boolean;
  // Absent on a Tor attached to a router that another process owns.
  private readonly gobgpd: Subprocess | undefined;
  private readonly routeSync: RouteSync | undefined;
  private readonly syncLog: WriteStream | undefined;
  private stopped = false;
  /** Set when gobgpd has exited: how. */
  private exited: string | undefined;

  private constructor(options: TorOptions, gobgpd?: Subprocess, routeSync?: RouteSync, syncLog?: WriteStream) {
    this.options = options;
    this.netns = options.netns;
    this.asn = options.asn;
    this.routerId = options.routerId;
    this.listenAddress = options.listenAddress;
    this.apiPort = options.apiPort ?? 50051;
    this.runDir = options.runDir;
    this.configPath = join(options.runDir, 'gobgpd.toml');
    this.logPath = join(options.runDir, 'gobgpd.log');
    this.gobgpd = gobgpd;
    this.routeSync = routeSync;
    this.syncLog = syncLog;
    this.programsFib = options.programFib !== false;
    void gobgpd?.then((r) => { this.exited = `gobgpd exited (${r.exitCode ?? r.signal ?? 'unknown'})`; });
  }

  /** Writes and checks the config, starts gobgpd in the namespace, waits for its API, and starts route-sync. */
  static async start(options: TorOptions): Promise<Tor> {
    const apiPort = options.apiPort ?? 50051;
    await mkdir(options.runDir, { recursive: true });
    const configPath = join(options.runDir, 'gobgpd.toml');
    const logPath = join(options.runDir, 'gobgpd.log');
    await writeTorConfig(configPath, {
      asn: options.asn, routerId: options.routerId, listenAddress: options.listenAddress,
      dynamicNeighborPrefix: options.dynamicNeighborPrefix, peerAsn: options.peerAsn,
      holdTimeSec: options.holdTimeSec, keepaliveSec: options.keepaliveSec, staticNeighbors: options.staticNeighbors,
    });
    const log = { file: logPath, append: true };
    const gobgpd = spawnProcess(
      ['gobgpd', '-f', configPath, '-p', '--pprof-disable', '--api-hosts', `127.0.0.1:${apiPort}`, '-l', 'info'],
      { netns: options.netns, stdin: 'ignore', stdout: log, stderr: log, buffer: false },
    );
    const programFib = options.programFib !== false;
    const syncLog = programFib ? createWriteStream(join(options.runDir, 'route-sync.log'), { flags: 'a' }) : undefined;
    const routeSync = !programFib ? undefined : new RouteSync({
      netns: options.netns, apiPort,
      isInternal: (neighbor) => asnOfNeighbor(options, neighbor) === options.asn,
      logger: (line) => syncLog!.write(`${new Date().toISOString()} ${line}\n`),
    });
    const tor = new Tor(options, gobgpd, routeSync, syncLog);
    try {
      await waitFor(`gobgpd API on 127.0.0.1:${apiPort} in ${options.netns}`, async () => {
        if (tor.exited) throw new Error(`${tor.exited}; log: ${await tail(logPath, 20)}`);
        const r = await run(tor.gobgpArgs(['global']), { netns: options.netns, reject: false, timeoutMs: 5000 });
        return { ok: r.exitCode === 0, observed: r.stderr || r.stdout };
      }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 100 });
      if (routeSync) await withTimeout(`route-sync's first sync with gobgpd in ${options.netns}`, routeSync.start(), START_TIMEOUT_MS);
    } catch (error) {
      await tor.stop();
      throw error;
    }
    return tor;
  }

  /** A handle on a router another process runs: the same queries and waits, nothing to stop. */
  static attach(access: TorAttachment): Tor {
    if (!access.netns && !access.container) throw new Error(`cannot attach to the router at ${access.address}: neither a network namespace nor a container is given`);
    const tor = new Tor({
      netns: access.netns ?? access.container!, routerId: access.address, asn: access.asn, listenAddress: access.address,
      dynamicNeighborPrefix: '', peerAsn: access.peerAsn ?? access.asn, apiPort: access.apiPort, programFib: access.programsFib,
      runDir: access.runDir ?? '',
    });
    tor.container = access.container;
    return tor;
  }

  /** Set when the router runs in a container: commands go through `docker exec`. */
  private container: string | undefined;

  /** Runs a command where the router lives: its namespace, or its container. */
  private exec(argv: string[], options: { reject?: boolean; timeoutMs?: number } = {}) {
    return this.container ? run(['docker', 'exec', this.container, ...argv], options) : run(argv, { ...options, netns: this.netns });
  }

  /** Stops route-sync and gobgpd (TERM, then KILL) and removes the routes it installed. */
  async stop(): Promise<void> {
    if (this.stopped || !this.gobgpd) return;
    this.stopped = true;
    await this.routeSync?.stop();
    if (!this.exited) {
      this.gobgpd.kill('SIGTERM');
      const done = await Promise.race([this.gobgpd.then(() => true), sleep(3000).then(() => false)]);
      if (!done) {
        this.gobgpd.kill('SIGKILL');
        await this.gobgpd;
      }
    }
    if (this.programsFib) await this.exec(['ip', 'route', 'flush', 'proto', 'bgp'], { reject: false });
    if (this.syncLog) await new Promise<void>((resolve) => this.syncLog!.end(resolve));
  }

  /** pid of gobgpd (ip netns exec replaces itself with it). */
  get pid(): number | undefined {
    return this.gobgpd?.pid;
  }

  gobgpArgs(args: string[]): string[] {
    return ['gobgp', '-u', '127.0.0.1', '-p', String(this.apiPort), ...args];
  }

  /** Runs the gobgp CLI against this TOR and returns its stdout. */
  async gobgp(args: string[], timeoutMs = 30_000): Promise<string> {
    return (await this.exec(this.gobgpArgs(args), { timeoutMs })).stdout;
  }

  async neighbors(): Promise<Neighbor[]> {
    return parseNeighbors(await this.gobgp(['neighbor', '-j']));
  }

  /** RIB entries (all, or the one exact prefix) with their equal-cost next hops. */
  async routes(prefix?: string): Promise<Route[]> {
    const args = ['global', 'rib', '-j', '-a', 'ipv4'];
    if (prefix) args.splice(3, 0, prefix);
    const routes = parseRib(await this.gobgp(args, 60_000), (neighbor) => asnOfNeighbor(this.options, neighbor) === this.asn);
    return prefix ? routes.filter((r) => r.prefix === prefix) : routes;
  }

  /** Counts of the IPv4 unicast table (cheap, for large tables). */
  async ribSummary(): Promise<{ destinations: number; paths: number }> {
    const summary = JSON.parse(await this.gobgp(['global', 'rib', 'summary', '-a', 'ipv4', '-j'])) as { num_destination?: number; num_path?: number };
    return { destinations: summary.num_destination ?? 0, paths: summary.num_path ?? 0 };
  }

  /** Kernel next hops of a prefix in the TOR namespace (sorted; empty when there is no route). */
  async fib(prefix: string): Promise<string[]> {
    const { stdout } = await this.exec(['ip', '-j', 'route', 'show', 'exact', prefix]);
    return parseFib(stdout).get(prefix.includes('/') ? prefix : `${prefix}/32`) ?? [];
  }

  /** Every route route-sync installed (proto bgp): prefix → sorted next hops. */
  async fibRoutes(): Promise<Map<string, string[]>> {
    const { stdout } = await this.exec(['ip', '-j', 'route', 'show', 'proto', 'bgp'], { timeoutMs: 60_000 });
    return parseFib(stdout);
  }

  /** Waits until the RIB and the kernel FIB both hold `prefix` with the expected next hops (or, if none are given, the RIB's). */
  async waitForRoute(prefix: string, options: { nextHops?: string[]; timeoutMs: number }): Promise<{ convergenceMs: number }> {
    const expected = options.nextHops ? [...options.nextHops].sort(compareAddresses) : undefined;
    const what = `route ${prefix} via ${expected ? expected.join(', ') : 'any next hop'} in the RIB and FIB of ${this.netns}`;
    const result = await waitFor(what, async () => {
      const [routes, fib] = await Promise.all([this.routes(prefix), this.programsFib ? this.fib(prefix) : Promise.resolve(undefined)]);
      const rib = routes[0]?.nextHops ?? [];
      const want = expected ?? rib;
      const ok = want.length > 0 && same(rib, want) && (fib === undefined || same(fib, want));
      return { ok, observed: { rib, fib } };
    }, { timeoutMs: options.timeoutMs, intervalMs: POLL_MS });
    return { convergenceMs: result.convergenceMs };
  }

  /** Waits until neither the RIB nor the FIB has `prefix`. */
  async waitForWithdrawn(prefix: string, options: { timeoutMs: number }): Promise<{ convergenceMs: number }> {
    const result = await waitFor(`${prefix} withdrawn from the RIB and FIB of ${this.netns}`, async () => {
      const [routes, fib] = await Promise.all([this.routes(prefix), this.programsFib ? this.fib(prefix) : Promise.resolve([])]);
      const rib = routes[0]?.nextHops ?? [];
      return { ok: routes.length === 0 && fib.length === 0, observed: { rib, fib } };
    }, { timeoutMs: options.timeoutMs, intervalMs: POLL_MS });
    return { convergenceMs: result.convergenceMs };
  }

  /** Waits until every address has an Established session with the TOR. */
  async waitForNeighbors(addresses: string[], options: { timeoutMs: number }): Promise<{ convergenceMs: number }> {
    const result = await waitFor(`BGP sessions Established from ${addresses.join(', ')} at ${this.netns}`, async () => {
      const neighbors = await this.neighbors();
      const states = Object.fromEntries(addresses.map((a) => [a, neighbors.find((n) => n.address === a)?.state ?? 'absent']));
      return { ok: Object.values(states).every((s) => s === 'established'), observed: states };
    }, { timeoutMs: options.timeoutMs, intervalMs: 100 });
    return { convergenceMs: result.convergenceMs };
  }

  /** Everything a failure report needs: neighbors, RIB, FIB, route-sync state, log tails. */
  async dump(): Promise<string> {
    const section = async (title: string, produce: () => Promise<string>) => {
      try {
        return `── ${title}\n${(await produce()).trimEnd()}`;
      } catch (error) {
        return `── ${title}\n(unavailable: ${(error as Error).message})`;
      }
    };
    const limit = (text: string, lines: number) => {
      const all = text.split('\n');
      return all.length > lines ? `${all.slice(0, lines).join('\n')}\n… ${all.length - lines} more lines` : text;
    };
    const parts = await Promise.all([
      section(`TOR ${this.netns}: AS ${this.asn}, router id ${this.routerId}, API 127.0.0.1:${this.apiPort}, run dir ${this.runDir}`, async () => `gobgpd pid ${this.pid ?? '?'}${this.exited ? ` (${this.exited})` : ' (running)'}`),
      section('neighbors (gobgp neighbor)', () => this.gobgp(['neighbor'])),
      section('RIB (gobgp global rib)', async () => limit(await this.gobgp(['global', 'rib', '-a', 'ipv4']), 200)),
      section('FIB (ip route show proto bgp)', async () => limit((await this.exec(['ip', 'route', 'show', 'proto', 'bgp'])).stdout, 200)),
      section('route-sync', async () => (this.routeSync ? JSON.stringify(this.routeSync.stats) : this.programsFib ? 'run by another process' : 'none: RIB-only router')),
      section(`gobgpd log tail (${this.logPath})`, () => tail(this.logPath, 40)),
      section('route-sync log tail', () => tail(join(this.runDir, 'route-sync.log'), 20)),
    ]);
    return parts.join('\n');
  }

  /** pid of route-sync's `gobgp monitor` process (tests kill it to check the restart). */
  get routeSyncMonitorPid(): number | undefined {
    return this.routeSync?.monitorPid;
  }

  /** Counters of the route-sync loop (zero when this handle runs none). */
  get routeSyncStats(): RouteSyncStats {
    return { monitorLines: 0, applied: 0, resyncs: 0, monitorRestarts: 0, ...this.routeSync?.stats };
  }
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The AS a neighbor speaks from: a static neighbor's own, else the dynamic peers' AS. */
function asnOfNeighbor(options: TorOptions, address: string): number {
  return options.staticNeighbors?.find((n) => n.address === address)?.asn ?? options.peerAsn;
}

async function tail(path: string, lines: number): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch (error) {
    return `(cannot read ${path}: ${(error as Error).message})`;
  }
}
