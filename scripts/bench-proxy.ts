// npm run bench:proxy [-- --duration 8 --latency-duration 5 --connections 32 --rounds 2 --no-pin]
//
// Throughput and latency of the reference proxy against the same echo
// backend reached (a) directly, (b) through impl/proxy, (c) through Debian's
// nginx configured as the equivalent reverse proxy (one worker, upstream
// keep-alive, X-Forwarded-For), all on loopback, measured with wrk:
//  - throughput: `connections` keep-alive clients for `duration` s;
//  - latency: one keep-alive client for `latency-duration` s, so the
//    percentiles show what a hop adds per request, not queueing.
// Targets are measured in interleaved rounds and the median round is kept,
// because this machine is shared. For the one-connection latency
// measurement, with two CPUs or more, wrk runs on CPU 0 and every server
// (echo, proxy, nginx) on CPU 1 (taskset): the load generator then never
// preempts a server mid-request, so the tails show the hop, not the
// scheduler. Throughput is measured unpinned: it is the machine's capacity
// that a proxy may use. --no-pin leaves all placement to the scheduler.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { run, spawnProcess } from '../lib/exec.ts';
import { waitFor } from '../lib/wait.ts';
import { spawnEcho, spawnListening, type ListeningProcess } from '../impl/echo/spawn.ts';
import { testIngress, testService, testState } from '../impl/proxy/testing/state.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = 'bench.test';

interface Options {
  duration: number;
  latencyDuration: number;
  connections: number;
  rounds: number;
  pin: boolean;
}

export function parseArgs(argv: string[]): Options {
  const options: Options = { duration: 8, latencyDuration: 5, connections: 32, rounds: 2, pin: os.cpus().length >= 2 };
  const keys: Record<string, 'duration' | 'latencyDuration' | 'connections' | 'rounds'> = { '--duration': 'duration', '--latency-duration': 'latencyDuration', '--connections': 'connections', '--rounds': 'rounds' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--no-pin') {
      options.pin = false;
      continue;
    }
    const key = keys[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isInteger(value) || value <= 0) {
      throw new Error(`bench-proxy: bad argument "${argv[i]} ${argv[i + 1] ?? ''}"; use ${Object.keys(keys).join(', ')} with positive integers, or --no-pin`);
    }
    options[key] = value;
    i++;
  }
  if (options.duration > 10 || options.latencyDuration > 10) throw new Error('bench-proxy: a measurement is bounded to 10 s');
  return options;
}

interface Measurement {
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** Parses wrk --latency output. */
export function parseWrk(text: string): Measurement {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const percentile = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
    if (!m) throw new Error(`wrk output has no ${p}% latency:\n${text}`);
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as const)[m[2] as 'us' | 'ms' | 's'];
  };
  if (!Number.isFinite(rps)) throw new Error(`wrk output has no Requests/sec:\n${text}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    rps,
    p50Ms: percentile('50'),
    p90Ms: percentile('90'),
    p99Ms: percentile('99'),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

const LOAD_CPU = 0;
const SERVER_CPU = 1;

/** Moves processes, their threads and their children (nginx's worker) to the given CPUs ("1", or "0-N" for all). */
async function placeOn(pids: number[], cpus: string): Promise<void> {
  for (const pid of pids) {
    const children = (await run(['pgrep', '-P', String(pid)], { reject: false })).stdout.split('\n').filter(Boolean).map(Number);
    for (const p of [pid, ...children]) await run(['taskset', '-a', '-p', '-c', cpus, String(p)]);
  }
}

async function wrk(url: string, connections: number, seconds: number, pinned = false): Promise<Measurement> {
  const { stdout } = await run([...(pinned ? ['taskset', '-c', String(LOAD_CPU)] : []), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${HOST}`, url], { timeoutMs: (seconds + 15) * 1000 });
  return parseWrk(stdout);
}

async function freePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function startNginx(dir: string, echoPort: number): Promise<{ port: number; child: ResultPromise }> {
  const port = await freePort('127.0.0.1');
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, `# vipcheck bench: nginx as the equivalent reverse proxy
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy-temp;
  fastcgi_temp_path ${dir}/fastcgi-temp;
  uwsgi_temp_path ${dir}/uwsgi-temp;
  scgi_temp_path ${dir}/scgi-temp;
  upstream echo { server 127.0.0.1:${echoPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Port $server_port;
    }
  }
}
`);
  const child = spawnProcess(['nginx', '-p', dir, '-e', `${dir}/nginx-error.log`, '-c', conf], { buffer: false, stdio: 'ignore' });
  await waitFor(`nginx to accept connections on 127.0.0.1:${port}`, () => new Promise<{ ok: boolean; observed?: string }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve({ ok: true }); });
    socket.once('error', (e) => resolve({ ok: false, observed: e.message }));
  }), { timeoutMs: 10_000, intervalMs: 100 });
  return { port, child };
}

function median(values: Measurement[]): Measurement {
  const sorted = [...values].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vc-bench-proxy-'));
  const started: { stop(): Promise<unknown> }[] = [];
  let nginx: ResultPromise | undefined;
  try {
    const echo = await spawnEcho({ args: ['--host', '127.0.0.1'], env: { POD_NAME: 'bench-echo' } });
    started.push(echo);
    const state = testState({
      ingresses: [testIngress('bench', [{ host: HOST, paths: [{ path: '/', service: 'echo' }] }])],
      services: [testService('echo', [{ address: '127.0.0.1', port: echo.httpPort }])],
    });
    const stateFile = path.join(dir, 'state.yaml');
    await writeFile(stateFile, [...state.ingressClasses, ...state.ingresses, ...state.services, ...state.endpointSlices]
      .map((o) => stringify(JSON.parse(JSON.stringify(o)))).join('---\n'));
    const proxy: ListeningProcess = await spawnListening(path.join(REPO, 'impl/proxy/main.ts'),
      ['--state-file', stateFile, '--bind-address', '127.0.0.1', '--http-port', '0', '--https-port', 'off', '--metrics-port', '0']);
    started.push(proxy);
    const ng = await startNginx(dir, echo.httpPort);
    nginx = ng.child;
    const servers = [echo.pid, proxy.pid, ng.child.pid!];
    const allCpus = `0-${os.cpus().length - 1}`;

    const targets = [
      { name: 'echo (direct)', url: `http://127.0.0.1:${echo.httpPort}/bench` },
      { name: 'impl/proxy', url: `http://127.0.0.1:${proxy.listening.http}/bench` },
      { name: 'nginx', url: `http://127.0.0.1:${ng.port}/bench` },
    ];
    process.stdout.write(`bench-proxy: ${options.rounds} rounds; throughput ${options.connections} connections × ${options.duration} s, latency 1 connection × ${options.latencyDuration} s; ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}; ${options.pin ? `latency with wrk on CPU ${LOAD_CPU} and the servers on CPU ${SERVER_CPU}` : 'not pinned'}\n`);
    for (const t of targets) await wrk(t.url, 8, 1); // warm-up: JIT, connection pools
    const throughput = new Map<string, Measurement[]>(targets.map((t) => [t.name, []]));
    const latency = new Map<string, Measurement[]>(targets.map((t) => [t.name, []]));
    for (let round = 1; round <= options.rounds; round++) {
      for (const t of targets) {
        throughput.get(t.name)!.push(await wrk(t.url, options.connections, options.duration));
        if (options.pin) await placeOn(servers, String(SERVER_CPU));
        latency.get(t.name)!.push(await wrk(t.url, 1, options.latencyDuration, options.pin));
        if (options.pin) await placeOn(servers, allCpus);
        process.stdout.write(`  round ${round}: ${t.name} done\n`);
      }
    }

    const rows = targets.map((t) => ({ name: t.name, tp: median(throughput.get(t.name)!), lat: median(latency.get(t.name)!) }));
    const fmt = (n: number, digits = 2) => n.toFixed(digits);
    const lines = [
      '',
      `| target | req/s (${options.connections} conns) | p50 ms | p99 ms | req/s (1 conn) | p50 ms | p90 ms | p99 ms | errors |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.name} | ${fmt(r.tp.rps, 0)} | ${fmt(r.tp.p50Ms)} | ${fmt(r.tp.p99Ms)} | ${fmt(r.lat.rps, 0)} | ${fmt(r.lat.p50Ms, 3)} | ${fmt(r.lat.p90Ms, 3)} | ${fmt(r.lat.p99Ms, 3)} | ${r.tp.errors + r.tp.non2xx + r.lat.errors + r.lat.non2xx} |`),
    ];
    const [direct, ours, theirs] = rows;
    const ratio = ours.tp.rps / theirs.tp.rps;
    const added = (row: typeof ours, key: 'p50Ms' | 'p90Ms' | 'p99Ms') => row.lat[key] - direct.lat[key];
    const addedOurs = added(ours, 'p99Ms');
    lines.push(
      '',
      `throughput impl/proxy / nginx: ${fmt(ratio)}×   (impl/proxy / direct: ${fmt(ours.tp.rps / direct.tp.rps)}×, nginx / direct: ${fmt(theirs.tp.rps / direct.tp.rps)}×)`,
      `added latency (1 conn) over direct, p50 / p90 / p99: impl/proxy ${(['p50Ms', 'p90Ms', 'p99Ms'] as const).map((k) => fmt(added(ours, k), 3)).join(' / ')} ms, nginx ${(['p50Ms', 'p90Ms', 'p99Ms'] as const).map((k) => fmt(added(theirs, k), 3)).join(' / ')} ms`,
      `goal throughput ≥ 0.5× nginx: ${ratio >= 0.5 ? 'met' : 'MISSED'}; goal added p99 < 1 ms: ${addedOurs < 1 ? 'met' : 'MISSED'} (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs: tails measure the scheduler too)`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    nginx?.kill('SIGQUIT');
    await nginx?.catch(() => undefined);
    await Promise.all(started.map((p) => p.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  });
}
