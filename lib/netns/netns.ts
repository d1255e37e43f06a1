// Linux network namespaces and links, through iproute2. Everything the
// harness creates here is named with the `vc-` prefix so that a crashed run
// can be reclaimed by the next one without touching anything that is not ours.
import { readdir, readlink } from 'node:fs/promises';
import { run } from '../exec.ts';
import { killPids } from '../pids.ts';
import { assertNoOtherOwner } from './ownership.ts';

export const PREFIX = 'vc-';

export function assertOurs(name: string): void {
  if (!name.startsWith(PREFIX)) throw new Error(`refusing to touch "${name}": vipcheck only manages names starting with "${PREFIX}"`);
}

export async function listNetns(prefix = PREFIX): Promise<string[]> {
  try {
    const entries = await readdir('/run/netns');
    return entries.filter((n) => n.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}

export async function addNetns(name: string): Promise<void> {
  assertOurs(name);
  await run(['ip', 'netns', 'add', name]);
  await run(['ip', 'link', 'set', 'lo', 'up'], { netns: name });
}

/** Pids of every process whose network namespace is `name`. */
export async function netnsPids(name: string): Promise<number[]> {
  const { stdout } = await run(['ip', 'netns', 'pids', name], { reject: false });
  return stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
}

/** Kills every process in the namespace (TERM, then KILL after graceMs) and deletes it. */
export async function deleteNetns(name: string, graceMs = 2000): Promise<void> {
  assertOurs(name);
  await killPids(await netnsPids(name), graceMs);
  await run(['ip', 'netns', 'del', name], { reject: false });
}


export interface VethEnd {
  name: string;
  netns?: string;
}

/** Creates a veth pair; each end is moved into its namespace (root when netns is absent) and set up. */
export async function addVeth(a: VethEnd, b: VethEnd, where?: string): Promise<void> {
  for (const end of [a, b]) {
    if (end.name.length > 15) throw new Error(`interface name "${end.name}" is longer than 15 characters`);
  }
  const args = ['ip', 'link', 'add', a.name];
  if (a.netns && a.netns !== where) args.push('netns', a.netns);
  args.push('type', 'veth', 'peer', 'name', b.name);
  if (b.netns && b.netns !== where) args.push('netns', b.netns);
  await run(args, { netns: where });
  await run(['ip', 'link', 'set', a.name, 'up'], { netns: a.netns });
  await run(['ip', 'link', 'set', b.name, 'up'], { netns: b.netns });
}

export async function addAddress(netns: string | undefined, dev: string, cidr: string): Promise<void> {
  await run(['ip', 'addr', 'add', cidr, 'dev', dev], { netns });
}

export async function replaceRoute(netns: string | undefined, args: string[]): Promise<void> {
  await run(['ip', 'route', 'replace', ...args], { netns });
}

export async function setSysctl(netns: string | undefined, key: string, value: string): Promise<void> {
  await run(['sysctl', '-q', '-w', `${key}=${value}`], { netns });
}

export async function setLink(netns: string | undefined, dev: string, state: 'up' | 'down'): Promise<void> {
  await run(['ip', 'link', 'set', dev, state], { netns });
}

/** Root-namespace links of ours (veth ends left behind by a crashed run). */
export async function listRootLinks(prefix = PREFIX): Promise<string[]> {
  try {
    const entries = await readdir('/sys/class/net');
    return entries.filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/** The network namespace inode of a pid, to tell whether a process lives in a namespace. */
export async function netnsOfPid(pid: number): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/**
 * Removes every vc- namespace (killing what runs inside) and every vc- link
 * in the root namespace. Used by `down` and at the start of `up`. Refuses
 * while another live process owns the environment (see ownership.ts).
 */
export async function reclaimAll(prefix = PREFIX): Promise<{ netns: string[]; links: string[] }> {
  assertNoOtherOwner();
  const namespaces = await listNetns(prefix);
  // Pods first, hosts last: pods are children of node agents that would otherwise restart them.
  for (const name of namespaces) await deleteNetns(name, 1000);
  const links = await listRootLinks(prefix);
  for (const link of links) await run(['ip', 'link', 'del', link], { reject: false });
  return { netns: namespaces, links };
}
