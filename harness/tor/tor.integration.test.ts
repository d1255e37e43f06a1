// The TOR (real gobgpd + route-sync) against our BGP speaker running in the
// node namespaces of the local topology: sessions, ECMP in RIB and kernel
// FIB, withdrawals, node loss, and the iBGP/eBGP attribute rules.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopology, destroyTopology, planTopology, torLinkOf } from '../providers/local/topology.ts';
import { setLink } from '../../lib/netns/netns.ts';
import { run, spawnProcess } from '../../lib/exec.ts';
import { waitUntil } from '../../lib/wait.ts';
import { Tor } from './tor.ts';
import { SpeakerProcess } from './speaker-process.ts';
import { claimTopology } from './topology-claim.ts';

const plan = planTopology(2);
const [node1, node2] = plan.nodes;
const TOR_ASN = 64512;
const HOLD = 6;
const VIP = '198.19.0.10/32';
const ROUTE_SYNC_CLI = fileURLToPath(new URL('./route-sync.ts', import.meta.url));

let runDir: string;
let tor: Tor | undefined;
const speakers: SpeakerProcess[] = [];

async function startTor(peerAsn: number, programFib = true): Promise<Tor> {
  return Tor.start({
    netns: plan.tor.netns, routerId: plan.tor.fabricAddress, asn: TOR_ASN, listenAddress: plan.tor.fabricAddress,
    dynamicNeighborPrefix: plan.fabricCidr, peerAsn, holdTimeSec: HOLD, runDir: join(runDir, `tor-${peerAsn}`), programFib,
  });
}

function startSpeaker(node: typeof node1, myAsn: number): SpeakerProcess {
  const speaker = new SpeakerProcess({
    netns: node.name, peerAddress: plan.tor.fabricAddress, localAddress: node.address, myAsn, peerAsn: TOR_ASN,
    routerId: node.address, holdTimeSec: HOLD, connectRetrySec: 1, logPath: join(runDir, `${node.name}-${myAsn}.log`),
  });
  speakers.push(speaker);
  return speaker;
}

async function stopAll(): Promise<void> {
  for (const s of speakers.splice(0)) await s.stop();
  await tor?.stop();
  tor = undefined;
}

async function withDump<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (tor) (error as Error).message += `\n\nTOR state:\n${await tor.dump()}`;
    throw error;
  }
}

let built = false;

beforeAll(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'vc-tor-it-'));
  await claimTopology(plan);
  built = true; // only now are the namespaces ours to remove
  await createTopology(plan);
});

afterAll(async () => {
  await stopAll();
  if (built) await destroyTopology(plan);
  await rm(runDir, { recursive: true, force: true });
});

describe('iBGP: speakers in the same AS as the TOR', () => {
  let s1: SpeakerProcess;
  let s2: SpeakerProcess;

  beforeAll(async () => {
    tor = await startTor(TOR_ASN);
    s1 = startSpeaker(node1, TOR_ASN);
    s2 = startSpeaker(node2, TOR_ASN);
  });
  afterAll(stopAll);

  it('both nodes reach Established with the TOR', () => withDump(async () => {
    await tor!.waitForNeighbors([node1.address, node2.address], { timeoutMs: 30_000 });
    const neighbors = await tor!.neighbors();
    expect(neighbors.map((n) => [n.address, n.asn, n.state])).toEqual([[node1.address, TOR_ASN, 'established'], [node2.address, TOR_ASN, 'established']]);
    await s1.waitForState('Established', 5000);
    await s2.waitForState('Established', 5000);
  }));

  it('a VIP announced by both nodes is an ECMP route in the RIB and the kernel FIB', () => withDump(async () => {
    s1.announce([VIP], { localPref: 200, communities: ['64512:7', '65000:100'] });
    s2.announce([VIP], { localPref: 200, communities: ['64512:7', '65000:100'] });
    await tor!.waitForRoute(VIP, { nextHops: [node1.address, node2.address], timeoutMs: 15_000 });
    const [route] = await tor!.routes(VIP);
    expect(route.nextHops).toEqual([node1.address, node2.address]);
    // iBGP: empty AS_PATH, LOCAL_PREF as given, ORIGIN incomplete, NEXT_HOP = the node's address.
    for (const path of route.paths) {
      expect(path).toMatchObject({ asPath: [], localPref: 200, origin: 'incomplete', communities: ['64512:7', '65000:100'] });
      expect(path.nextHop).toBe(path.neighbor);
    }
    expect(await tor!.fib(VIP)).toEqual([node1.address, node2.address]);
  }));

  it('LOCAL_PREF defaults to 100 towards an iBGP peer', () => withDump(async () => {
    s1.announce(['198.19.0.11/32']);
    await tor!.waitForRoute('198.19.0.11/32', { nextHops: [node1.address], timeoutMs: 15_000 });
    const [route] = await tor!.routes('198.19.0.11/32');
    expect(route.paths).toEqual([{ nextHop: node1.address, asPath: [], localPref: 100, communities: [], origin: 'incomplete', neighbor: node1.address, best: true }]);
  }));

  it('withdrawing from one node leaves only the other next hop', () => withDump(async () => {
    s1.withdraw([VIP]);
    await tor!.waitForRoute(VIP, { nextHops: [node2.address], timeoutMs: 15_000 });
    s1.announce([VIP], { localPref: 200, communities: ['64512:7', '65000:100'] });
    await tor!.waitForRoute(VIP, { nextHops: [node1.address, node2.address], timeoutMs: 15_000 });
  }));

  it('route-sync survives its monitor dying: restarts, resyncs, and drops kernel routes the RIB lacks', () => withDump(async () => {
    await run(['ip', 'route', 'replace', '198.19.99.0/24', 'proto', 'bgp', 'via', node1.address], { netns: plan.tor.netns });
    const restartsBefore = tor!.routeSyncStats.monitorRestarts;
    const pid = tor!.routeSyncMonitorPid;
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    s1.withdraw([VIP]); // a change while nobody watches the RIB
    await tor!.waitForRoute(VIP, { nextHops: [node2.address], timeoutMs: 15_000 });
    await waitUntil('the stale 198.19.99.0/24 to leave the FIB', () => tor!.fib('198.19.99.0/24'), (hops) => hops.length === 0, { timeoutMs: 15_000 });
    expect(tor!.routeSyncStats.monitorRestarts).toBe(restartsBefore + 1);
    expect(tor!.routeSyncMonitorPid).not.toBe(pid);
    s1.announce([VIP], { localPref: 200, communities: ['64512:7', '65000:100'] });
    await tor!.waitForRoute(VIP, { nextHops: [node1.address, node2.address], timeoutMs: 15_000 });
  }));

  it('a killed speaker (SIGKILL) loses its next hop within the hold time', () => withDump(async () => {
    await s2.kill();
    const { convergenceMs } = await tor!.waitForRoute(VIP, { nextHops: [node1.address], timeoutMs: HOLD * 1000 + 2000 });
    expect(convergenceMs).toBeLessThan(HOLD * 1000 + 2000);
    expect((await tor!.neighbors()).map((n) => n.address)).toEqual([node1.address]);
  }));

  it('a node cut off the fabric (no FIN) is dropped when the hold timer expires, and comes back when restored', () => withDump(async () => {
    const s2b = startSpeaker(node2, TOR_ASN);
    s2b.announce([VIP], { localPref: 200, communities: ['64512:7', '65000:100'] });
    await tor!.waitForRoute(VIP, { nextHops: [node1.address, node2.address], timeoutMs: 20_000 });
    const cutAt = performance.now();
    await setLink(plan.tor.netns, torLinkOf(node2), 'down');
    try {
      await tor!.waitForRoute(VIP, { nextHops: [node1.address], timeoutMs: HOLD * 1000 + 3000 });
      const elapsed = performance.now() - cutAt;
      // Nothing told the TOR: only its hold timer can have removed the path.
      expect(elapsed).toBeGreaterThan((HOLD - 1) * 1000);
      // Our speaker's own hold timer fires too and it starts dialling again.
      await s2b.waitForState('Idle', 5000).catch(() => undefined);
      expect(s2b.events.some((e) => e.event === 'down' && String(e.reason).includes('hold timer expired'))).toBe(true);
    } finally {
      await setLink(plan.tor.netns, torLinkOf(node2), 'up');
    }
    await tor!.waitForRoute(VIP, { nextHops: [node1.address, node2.address], timeoutMs: 30_000 });
  }));
});

describe('eBGP: speakers in their own AS; the FIB kept by route-sync running as its own process', () => {
  const NODE_ASN = 4200000001; // needs 4 octets: AS_TRANS in the OPEN, 4-octet AS_PATH
  let s1: SpeakerProcess;
  let s2: SpeakerProcess;
  let routeSync: ReturnType<typeof spawnProcess>;

  beforeAll(async () => {
    tor = await startTor(NODE_ASN, false);
    const log = { file: join(runDir, 'route-sync-standalone.log'), append: true };
    routeSync = spawnProcess([process.execPath, ROUTE_SYNC_CLI, '--netns', plan.tor.netns, '--api-port', String(tor.apiPort)], {
      stdin: 'ignore', stdout: log, stderr: log, buffer: false,
    });
    s1 = startSpeaker(node1, NODE_ASN);
    s2 = startSpeaker(node2, NODE_ASN);
  });
  afterAll(async () => {
    routeSync.kill('SIGTERM');
    await routeSync;
    await stopAll();
  });

  it('AS_PATH is [my-asn], no LOCAL_PREF is sent, NEXT_HOP is the node, and both paths are equal cost', () => withDump(async () => {
    await tor!.waitForNeighbors([node1.address, node2.address], { timeoutMs: 30_000 });
    s1.announce([VIP], { localPref: 300, communities: ['64512:9'] });
    s2.announce([VIP], { localPref: 300, communities: ['64512:9'] });
    await tor!.waitForRoute(VIP, { nextHops: [node1.address, node2.address], timeoutMs: 15_000 });
    // This Tor handle does not program the FIB; the standalone route-sync process does.
    await waitUntil(`${VIP} in the FIB via both nodes`, () => tor!.fib(VIP), (hops) => hops.join() === `${node1.address},${node2.address}`, { timeoutMs: 15_000 });
    const [route] = await tor!.routes(VIP);
    for (const path of route.paths) {
      expect(path.asPath).toEqual([NODE_ASN]);
      expect(path.localPref).toBeUndefined();
      expect(path.communities).toEqual(['64512:9']);
      expect(path.origin).toBe('incomplete');
      expect(path.nextHop).toBe(path.neighbor);
    }
    expect((await tor!.neighbors()).every((n) => n.asn === NODE_ASN)).toBe(true);
  }));

  it('withdrawing everywhere removes the route from RIB and FIB', () => withDump(async () => {
    s1.withdraw([VIP]);
    s2.withdraw([VIP]);
    await tor!.waitForWithdrawn(VIP, { timeoutMs: 15_000 });
    await waitUntil(`${VIP} gone from the FIB`, () => tor!.fib(VIP), (hops) => hops.length === 0, { timeoutMs: 15_000 });
    // The TOR sent each speaker the other's route (eBGP); neither refused it nor dropped its session.
    expect([...s1.events, ...s2.events].filter((e) => e.event === 'down')).toEqual([]);
  }));
});
