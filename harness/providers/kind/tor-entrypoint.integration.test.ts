// The TOR container's entrypoint and config, without Docker: the same
// script (fixtures/images/tor-entrypoint.sh) and the same generated gobgpd
// config, run in a network namespace standing in for the container's, with
// our BGP speaker in two "node" namespaces dialling in as dynamic neighbors.
// What Docker adds (image build, kind network, privileged mode) is not
// covered here.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAddress, addNetns, addVeth, deleteNetns, listNetns } from '../../../lib/netns/netns.ts';
import { SpeakerProcess } from '../../tor/speaker-process.ts';
import { parseFib } from '../../tor/rib.ts';
import { run, spawnProcess } from '../../../lib/exec.ts';
import { waitFor, waitUntil } from '../../../lib/wait.ts';
import { REPO_ROOT } from '../../../lib/repo-root.ts';
import { kindTorConfigToml } from './tor-config.ts';
import { NODE_ASN, TOR_API_PORT, TOR_ASN } from '../common/fixture-plan.ts';

const ENTRYPOINT = path.join(REPO_ROOT, 'fixtures/images/tor-entrypoint.sh');
const TOR_NS = 'vc-kt-tor';
const NODES = [
  { netns: 'vc-kt-n1', address: '198.18.250.11', link: 'kt-n1' },
  { netns: 'vc-kt-n2', address: '198.18.250.12', link: 'kt-n2' },
];
const TOR_ADDRESS = '198.18.250.1';
const SUBNET = '198.18.250.0/24';
const VIP = '198.19.0.10/32';

let dir: string;
const speakers: SpeakerProcess[] = [];

async function removeNamespaces(): Promise<void> {
  const present = new Set(await listNetns('vc-kt-'));
  for (const name of [...NODES.map((n) => n.netns), TOR_NS]) if (present.has(name)) await deleteNetns(name, 1000);
}

beforeAll(async () => {
  await removeNamespaces();
  dir = await mkdtemp(path.join(os.tmpdir(), 'vc-kind-entrypoint-'));
  // One L2 segment, like the kind network: a bridge in the TOR namespace stands in for Docker's.
  await addNetns(TOR_NS);
  await run(['ip', 'link', 'add', 'fabric', 'type', 'bridge'], { netns: TOR_NS });
  await run(['ip', 'link', 'set', 'fabric', 'up'], { netns: TOR_NS });
  await addAddress(TOR_NS, 'fabric', `${TOR_ADDRESS}/24`);
  for (const node of NODES) {
    await addNetns(node.netns);
    await addVeth({ name: node.link, netns: TOR_NS }, { name: 'eth0', netns: node.netns });
    await run(['ip', 'link', 'set', node.link, 'master', 'fabric'], { netns: TOR_NS });
    await addAddress(node.netns, 'eth0', `${node.address}/24`);
  }
});

afterAll(async () => {
  for (const s of speakers.splice(0)) await s.stop();
  await removeNamespaces();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startEntrypoint(config: string, env: Record<string, string>) {
  return spawnProcess(
    ['env', `TOR_CONFIG=${config}`, `TOR_APP_DIR=${REPO_ROOT}`, `TOR_NODE=${process.execPath}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'bash', ENTRYPOINT],
    { netns: TOR_NS, stdin: 'ignore', all: true, buffer: true },
  );
}

async function gobgpUp(): Promise<void> {
  await waitFor('gobgpd API of the entrypoint', async () => {
    const r = await run(['gobgp', '-p', String(TOR_API_PORT), 'global'], { netns: TOR_NS, reject: false, timeoutMs: 3000 });
    return { ok: r.exitCode === 0, observed: r.stderr || r.stdout };
  }, { timeoutMs: 20_000, intervalMs: 200 });
}

async function fibOf(prefix: string): Promise<string[]> {
  const { stdout } = await run(['ip', '-j', 'route', 'show', 'exact', prefix], { netns: TOR_NS });
  return parseFib(stdout).get(prefix) ?? [];
}

function startSpeakers(myAsn: number, peerAsn: number): SpeakerProcess[] {
  return NODES.map((node) => {
    const s = new SpeakerProcess({
      netns: node.netns, peerAddress: TOR_ADDRESS, localAddress: node.address, myAsn, peerAsn, routerId: node.address,
      holdTimeSec: 6, connectRetrySec: 1, logPath: path.join(dir, `${node.netns}-${myAsn}.log`),
    });
    speakers.push(s);
    return s;
  });
}

describe('vipcheck/tor entrypoint with the kind TOR config', () => {
  it('accepts every node of the subnet, installs an ECMP route from the RIB, and stops on SIGTERM', async () => {
    const config = path.join(dir, 'tor.toml');
    await writeFile(config, kindTorConfigToml({ neighborPrefix: SUBNET, holdTimeSec: 6 }));
    const tor = startEntrypoint(config, {});
    try {
      await gobgpUp();
      const nodes = startSpeakers(NODE_ASN, TOR_ASN);
      for (const s of nodes) await s.waitForState('Established', 20_000);
      for (const s of nodes) s.announce([VIP]);
      const { value } = await waitUntil(`${VIP} via both nodes in the kernel FIB of ${TOR_NS}`, () => fibOf(VIP),
        (hops) => hops.length === 2, { timeoutMs: 20_000, intervalMs: 100 });
      expect(value).toEqual(NODES.map((n) => n.address));
      // The script set up forwarding without ICMP redirects.
      const sysctl = async (key: string) => (await run(['cat', `/proc/sys/net/ipv4/${key}`], { netns: TOR_NS })).stdout.trim();
      expect(await sysctl('ip_forward')).toBe('1');
      expect(await sysctl('conf/all/send_redirects')).toBe('0');
      expect(await sysctl('conf/fabric/send_redirects')).toBe('0');
      for (const s of nodes) await s.stop();
      speakers.length = 0;
    } finally {
      tor.kill('SIGTERM');
    }
    const result = await tor;
    expect(result.all).toContain('started gobgpd');
    expect(result.all).toContain('stopping');
    expect((await run(['pgrep', '-f', `gobgpd -f ${config}`], { reject: false })).stdout).toBe('');
  });

  it('runs gobgpd alone with TOR_PROGRAM_FIB=false (the iBGP router): routes reach the RIB, never the FIB', async () => {
    const config = path.join(dir, 'ibgp.toml');
    await writeFile(config, kindTorConfigToml({ neighborPrefix: SUBNET, asn: NODE_ASN, peerAsn: NODE_ASN, holdTimeSec: 6 }));
    await run(['ip', 'route', 'flush', 'proto', 'bgp'], { netns: TOR_NS, reject: false });
    const router = startEntrypoint(config, { TOR_PROGRAM_FIB: 'false' });
    try {
      await gobgpUp();
      const nodes = startSpeakers(NODE_ASN, NODE_ASN);
      for (const s of nodes) await s.waitForState('Established', 20_000);
      nodes[0].announce([VIP]);
      await waitFor(`${VIP} in the iBGP router's RIB`, async () => {
        const r = await run(['gobgp', '-p', String(TOR_API_PORT), 'global', 'rib', '-j', '-a', 'ipv4'], { netns: TOR_NS });
        return { ok: VIP in (JSON.parse(r.stdout) as Record<string, unknown>), observed: r.stdout };
      }, { timeoutMs: 20_000, intervalMs: 100 });
      expect(await fibOf(VIP)).toEqual([]);
      for (const s of nodes) await s.stop();
      speakers.length = 0;
    } finally {
      router.kill('SIGTERM');
    }
    const result = await router;
    expect(result.all).toContain('RIB only');
  });

  it('refuses a bad TOR_PROGRAM_FIB and a missing config with one line and exit 2', async () => {
    const bad = await startEntrypoint(path.join(dir, 'tor.toml'), { TOR_PROGRAM_FIB: 'maybe' });
    expect(bad.exitCode).toBe(2);
    expect(bad.all).toBe('tor: TOR_PROGRAM_FIB must be true or false, got "maybe"');
    const missing = await startEntrypoint(path.join(dir, 'absent.toml'), {});
    expect(missing.exitCode).toBe(2);
    expect(missing.all).toBe(`tor: no gobgpd config at ${path.join(dir, 'absent.toml')} (the harness copies it in before start)`);
  });
});
