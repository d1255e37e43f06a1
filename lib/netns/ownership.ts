// One vipcheck environment at a time owns the machine's vc- resources (the
// namespace names and the client route are fixed). The owner's pid is
// recorded in a lock file; a live owner is never disturbed, a dead one's
// leftovers are reclaimed by whoever comes next.
import { readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { alive } from '../pids.ts';

export const OWNER_FILE = path.join(os.tmpdir(), 'vc-owner.json');

export interface Owner {
  pid: number;
  what: string;
  since: string;
}

export function currentOwner(): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(OWNER_FILE, 'utf8')) as Owner;
    return alive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Throws when another live process owns the environment. */
export function assertNoOtherOwner(pid = process.pid): void {
  const owner = currentOwner();
  if (owner && owner.pid !== pid) {
    throw new Error(`another vipcheck environment is in use (pid ${owner.pid}: ${owner.what}, since ${owner.since}); stop it first with "vipcheck down"`);
  }
}

export function claimOwnership(what: string, pid = process.pid): void {
  assertNoOtherOwner(pid);
  mkdirSync(path.dirname(OWNER_FILE), { recursive: true });
  writeFileSync(OWNER_FILE, JSON.stringify({ pid, what, since: new Date().toISOString() }));
}

export function releaseOwnership(pid = process.pid): void {
  const owner = currentOwner();
  if (!owner || owner.pid === pid) rmSync(OWNER_FILE, { force: true });
}
