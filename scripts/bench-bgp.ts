// npm run bench:bgp [-- --prefixes 10000 --rounds 3]
//
// How fast do 10,000 /32 announcements (and their withdrawal) reach the TOR's
// RIB and kernel FIB, from our TypeScript speaker versus gobgpd acting as the
// speaker? Same run, same TOR (gobgpd + route-sync in vc-tor), iBGP, the two
// speakers in vc-node-1 (ours) and vc-node-2 (gobgpd), taking turns.
//
// How routes get into each speaker (the fastest honest way for each):
//  - ours: one JSON command with all prefixes on the CLI's stdin → announce()
//    per prefix → batched UPDATEs.
//  - gobgpd: `gobgp mrt inject global` of an MRT TABLE_DUMP_V2 file written
//    beforehand (the CLI's bulk path: one gRPC AddPathStream); withdrawal is
//    `gobgp global rib del all`. gobgp 3.10's inject exits before its last
//    stream messages are delivered (we lost 14 to 222 of 10,000), so the file
//    ends with PAD repeats of the last prefix: identical paths that change
//    nothing and send nothing to the TOR (the TOR's RIB event count per round
//    is printed to show it), and the real prefixes all arrive.
// The clock starts just before the command is handed over and stops when the
// TOR's RIB (`gobgp global rib summary`) and FIB (`ip route show proto bgp`)
// hold all prefixes (or none, for withdrawal). The FIB is programmed by the
// same route-sync for both, so RIB and RIB+FIB times are reported apart.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePathAttributes } from '../impl/speaker/bgp/codec.ts';
import { formatIPv4, parseIPv4, parsePrefix } from '../lib/net/index.ts';
import { createTopology, destroyTopology, planTopology } from '../harness/providers/local/topology.ts';
import { Tor } from '../harness/tor/tor.ts';
import { SpeakerProcess } from '../harness/tor/speaker-process.ts';
import { claimTopology } from '../harness/tor/topology-claim.ts';
import { run, spawnProcess } from '../lib/exec.ts';
import { waitFor } from '../lib/wait.ts';

const { values } = parseArgs({ options: { prefixes: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '3' } } });
const COUNT = Number(values.prefixes);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 65_000) throw new Error(`--prefixes ${values.prefixes} must be 1..65000`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds ${values.rounds} must be a positive integer`);

const ASN = 64512;
const TIMEOUT_MS = 120_000;
const plan = planTopology(2);
const [ourNode, gobgpNode] = plan.nodes;
const base = parseIPv4('198.19.0.0')!;
const prefixes = Array.from({ length: COUNT }, (_, i) => `${formatIPv4(base + i)}/32`);
const PAD = 2000;

interface Timing {
  /** RIB change events the TOR saw (route-sync's monitor lines). */
  ribEvents: number;
  /** From the command to the RIB holding the target count. */
  ribMs: number;
  /** From the command to both RIB and FIB holding it. */
  ribFibMs: number;
  /** From the first change seen in the RIB to the RIB holding the target (transfer + processing, without start-up). */
  ribSpreadMs: number;
}

/** Polls RIB and FIB counts in two loops until both reach `target`; times are from `started`. */
async function measure(tor: Tor, started: number, target: number, what: string): Promise<Timing> {
  const initialEvents = tor.routeSyncStats.monitorLines;
  const initialRib = (await tor.ribSummary()).destinations;
  let firstChange: number | undefined;
  const rib = waitFor(`${what}: RIB at ${target} destinations`, async () => {
    const { destinations } = await tor.ribSummary();
    if (firstChange === undefined && destinations !== initialRib) firstChange = performance.now();
    return { ok: destinations === target, observed: destinations };
  }, { timeoutMs: TIMEOUT_MS, intervalMs: 5 }).then(() => performance.now());
  const fib = waitFor(`${what}: FIB at ${target} routes`, async () => {
    const { stdout } = await run(['ip', '-o', 'route', 'show', 'proto', 'bgp'], { netns: tor.netns, timeoutMs: 30_000 });
    const count = stdout ? stdout.split('\n').length : 0;
    return { ok: count === target, observed: count };
  }, { timeoutMs: TIMEOUT_MS, intervalMs: 5 }).then(() => performance.now());
  const [ribDone, fibDone] = await Promise.all([rib, fib]);
  await new Promise((resolve) => setTimeout(resolve, 200)); // let late events show up in the count
  return { ribEvents: tor.routeSyncStats.monitorLines - initialEvents, ribMs: ribDone - started, ribFibMs: Math.max(ribDone, fibDone) - started, ribSpreadMs: ribDone - (firstChange ?? started) };
}

/** MRT TABLE_DUMP_V2 (RFC 6396): a PEER_INDEX_TABLE, then one RIB_IPV4_UNICAST record per prefix. */
function mrtDump(nextHop: string): Buffer {
  const record = (subtype: number, body: Buffer) => {
    const header = Buffer.alloc(12);
    header.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
    header.writeUInt16BE(13, 4); // TABLE_DUMP_V2
    header.writeUInt16BE(subtype, 6);
    header.writeUInt32BE(body.length, 8);
    return Buffer.concat([header, body]);
  };
  const peerTable = Buffer.alloc(4 + 2 + 2 + 1 + 4 + 4 + 4);
  let p = peerTable.writeUInt32BE(parseIPv4(gobgpNode.address)!, 0); // collector BGP ID
  p = peerTable.writeUInt16BE(0, p); // no view name
  p = peerTable.writeUInt16BE(1, p); // one peer
  p = peerTable.writeUInt8(0x02, p); // IPv4 peer, 4-octet AS
  p = peerTable.writeUInt32BE(parseIPv4(gobgpNode.address)!, p);
  p = peerTable.writeUInt32BE(parseIPv4(gobgpNode.address)!, p);
  peerTable.writeUInt32BE(ASN, p);
  // TABLE_DUMP_V2 always encodes AS_PATH with 4-octet ASNs.
  const attributes = encodePathAttributes({ origin: 2, asPath: [], nextHop }, { fourOctetAs: true });
  const records = [record(1, peerTable)];
  const padded = [...prefixes, ...Array.from({ length: PAD }, () => prefixes[COUNT - 1])];
  padded.forEach((prefix, i) => {
    const body = Buffer.alloc(4 + 1 + 4 + 2 + 2 + 4 + 2 + attributes.length);
    let o = body.writeUInt32BE(i, 0);
    o = body.writeUInt8(32, o);
    o = body.writeUInt32BE(parsePrefix(prefix, 4).address, o);
    o = body.writeUInt16BE(1, o); // one entry
    o = body.writeUInt16BE(0, o); // peer index
    o = body.writeUInt32BE(Math.floor(Date.now() / 1000), o);
    o = body.writeUInt16BE(attributes.length, o);
    attributes.copy(body, o);
    records.push(record(2, body));
  });
  return Buffer.concat(records);
}

/** Returns the subprocess inside an object: awaiting a subprocess itself would wait for it to exit. */
async function startGobgpSpeaker(runDir: string): Promise<{ process: ReturnType<typeof spawnProcess> }> {
  const config = join(runDir, 'speaker-gobgpd.toml');
  await writeFile(config, [
    '[global.config]', `  as = ${ASN}`, `  router-id = "${gobgpNode.address}"`, '  port = -1', '',
    '[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${plan.tor.fabricAddress}"`, `    peer-as = ${ASN}`,
    '  [neighbors.timers.config]', '    connect-retry = 1',
    '  [neighbors.transport.config]', `    local-address = "${gobgpNode.address}"`,
    '  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ipv4-unicast"', '',
  ].join('\n'));
  const log = { file: join(runDir, 'speaker-gobgpd.log'), append: true };
  const process = spawnProcess(['gobgpd', '-f', config, '-p', '--pprof-disable', '--api-hosts', '127.0.0.1:50051'], {
    netns: gobgpNode.name, stdin: 'ignore', stdout: log, stderr: log, buffer: false,
  });
  return { process };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const runDir = await mkdtemp(join(tmpdir(), 'vc-bench-bgp-'));
  const mrtPath = join(runDir, 'routes.mrt');
  let tor: Tor | undefined;
  let ours: SpeakerProcess | undefined;
  let gobgpd: ReturnType<typeof spawnProcess> | undefined;
  let built = false;
  try {
    await writeFile(mrtPath, mrtDump(gobgpNode.address));
    await claimTopology(plan, { waitMs: 30 * 60_000 });
    built = true; // from here on the namespaces are ours to remove
    await createTopology(plan);
    tor = await Tor.start({
      netns: plan.tor.netns, routerId: plan.tor.fabricAddress, asn: ASN, listenAddress: plan.tor.fabricAddress,
      dynamicNeighborPrefix: plan.fabricCidr, peerAsn: ASN, runDir: join(runDir, 'tor'),
    });
    ours = new SpeakerProcess({
      netns: ourNode.name, peerAddress: plan.tor.fabricAddress, localAddress: ourNode.address, myAsn: ASN, peerAsn: ASN,
      routerId: ourNode.address, connectRetrySec: 1, logPath: join(runDir, 'speaker-ours.log'),
    });
    gobgpd = (await startGobgpSpeaker(runDir)).process;
    await tor.waitForNeighbors([ourNode.address, gobgpNode.address], { timeoutMs: 60_000 });
    const gobgp = (args: string[]) => run(['gobgp', '-u', '127.0.0.1', '-p', '50051', ...args], { netns: gobgpNode.name, timeoutMs: TIMEOUT_MS });

    const results: Record<'ours' | 'gobgpd', { announce: Timing[]; withdraw: Timing[] }> = {
      ours: { announce: [], withdraw: [] }, gobgpd: { announce: [], withdraw: [] },
    };
    const check = async (nextHop: string) => {
      for (const prefix of [prefixes[0], prefixes[COUNT - 1]]) {
        const [route] = await tor!.routes(prefix);
        if (route?.nextHops.join() !== nextHop) throw new Error(`${prefix} should be via ${nextHop}, the TOR has ${JSON.stringify(route?.nextHops)}`);
      }
    };
    for (let round = 1; round <= ROUNDS; round++) {
      // Ours.
      let started = performance.now();
      ours.announce(prefixes);
      results.ours.announce.push(await measure(tor, started, COUNT, `ours, round ${round}, announce`));
      await check(ourNode.address);
      started = performance.now();
      ours.withdraw(prefixes);
      results.ours.withdraw.push(await measure(tor, started, 0, `ours, round ${round}, withdraw`));
      // gobgpd.
      started = performance.now();
      const inject = gobgp(['mrt', 'inject', 'global', '--no-ipv6', mrtPath]);
      const announced = measure(tor, started, COUNT, `gobgpd, round ${round}, announce`);
      const injected = await inject;
      if (injected.stderr.trim()) console.error(`gobgp mrt inject: ${injected.stderr.trim()}`);
      results.gobgpd.announce.push(await announced);
      await check(gobgpNode.address);
      started = performance.now();
      const deleting = gobgp(['global', 'rib', 'del', 'all', '-a', 'ipv4']);
      const withdrawn = measure(tor, started, 0, `gobgpd, round ${round}, withdraw`);
      await deleting;
      results.gobgpd.withdraw.push(await withdrawn);
      console.error(`round ${round}/${ROUNDS} done`);
    }

    const rows: [string, 'announce' | 'withdraw', keyof Timing][] = [
      ['announce: in RIB', 'announce', 'ribMs'],
      ['announce: in RIB and FIB', 'announce', 'ribFibMs'],
      ['announce: first→last in RIB', 'announce', 'ribSpreadMs'],
      ['withdraw: gone from RIB', 'withdraw', 'ribMs'],
      ['withdraw: gone from RIB and FIB', 'withdraw', 'ribFibMs'],
      ['withdraw: first→last in RIB', 'withdraw', 'ribSpreadMs'],
    ];
    const fmt = (ms: number) => `${Math.round(ms)} ms`.padStart(10);
    console.log(`\n${COUNT.toLocaleString('en')} /32 routes to the TOR (iBGP, same TOR and route-sync), median of ${ROUNDS} round(s)\n`);
    console.log(`${'metric'.padEnd(34)}${'ours (TS)'.padStart(12)}${'gobgpd 3.10'.padStart(14)}${'ours/gobgpd'.padStart(14)}   all rounds ours | gobgpd`);
    for (const [label, phase, field] of rows) {
      const a = results.ours[phase].map((t) => t[field]);
      const b = results.gobgpd[phase].map((t) => t[field]);
      const ratio = median(a) / median(b);
      console.log(`${label.padEnd(34)}${fmt(median(a)).padStart(12)}${fmt(median(b)).padStart(14)}${`${ratio.toFixed(2)}×`.padStart(14)}   ${a.map(Math.round).join(',')} | ${b.map(Math.round).join(',')}`);
    }
    const events = (who: 'ours' | 'gobgpd') => `${results[who].announce.map((t) => t.ribEvents).join(',')} / ${results[who].withdraw.map((t) => t.ribEvents).join(',')}`;
    console.log(`${'TOR RIB events (announce / withdraw)'.padEnd(34)}   ours ${events('ours')}   gobgpd ${events('gobgpd')}`);
    console.log('\nours: one stdin command → announce()/withdraw() → batched UPDATEs; gobgpd: `gobgp mrt inject global` (MRT TABLE_DUMP_V2) / `gobgp global rib del all`.');
    console.log('Times start when the command is handed to the speaker; "first→last" starts at the first change the TOR shows.');
  } catch (error) {
    if (tor) console.error(await tor.dump());
    throw error;
  } finally {
    await ours?.stop();
    if (gobgpd) {
      gobgpd.kill('SIGTERM');
      await gobgpd;
    }
    await tor?.stop();
    if (built) await destroyTopology(plan);
    await rm(runDir, { recursive: true, force: true });
  }
}

await main();
