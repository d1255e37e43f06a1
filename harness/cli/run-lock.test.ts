import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLockedError, acquireRunLock, runLockFile, runLockHolder } from './run-lock.ts';

describe('run lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vc-test-run-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const CLUSTER = 'https://198.18.0.2:6443';

  it('is taken by one run and refused to another live one, naming the holder', () => {
    // pid 1 is always alive: it stands for a run in another process.
    acquireRunLock(CLUSTER, 'traefik', { dir, pid: 1 });
    let refused: unknown;
    try {
      acquireRunLock(CLUSTER, 'reference', { dir });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RunLockedError);
    expect((refused as RunLockedError).holder).toMatchObject({ pid: 1, target: 'traefik', cluster: CLUSTER });
    expect((refused as Error).message).toMatch(/^another vipcheck run is using https:\/\/198\.18\.0\.2:6443 \(pid 1, target traefik, since /);
  });

  it('names the live holder, and no holder once it released or died', () => {
    expect(runLockHolder(CLUSTER, dir)).toBeUndefined();
    const release = acquireRunLock(CLUSTER, 'reference', { dir });
    expect(runLockHolder(CLUSTER, dir)).toMatchObject({ pid: process.pid, target: 'reference' });
    release();
    expect(runLockHolder(CLUSTER, dir)).toBeUndefined();
    writeFileSync(runLockFile(CLUSTER, dir), JSON.stringify({ pid: spawnSync('true').pid, cluster: CLUSTER, target: 'old', since: 'then' }));
    expect(runLockHolder(CLUSTER, dir)).toBeUndefined();
  });

  it('locks clusters separately', () => {
    acquireRunLock(CLUSTER, 'a', { dir, pid: 1 });
    const release = acquireRunLock('https://203.0.113.7:6443', 'b', { dir });
    expect(runLockFile(CLUSTER, dir)).not.toBe(runLockFile('https://203.0.113.7:6443', dir));
    release();
  });

  it('reclaims the lock of a run that died', () => {
    const dead = spawnSync('true').pid!;
    writeFileSync(runLockFile(CLUSTER, dir), JSON.stringify({ pid: dead, cluster: CLUSTER, target: 'old', since: '2026-01-01T00:00:00Z' }));
    const release = acquireRunLock(CLUSTER, 'reference', { dir });
    expect(JSON.parse(readFileSync(runLockFile(CLUSTER, dir), 'utf8'))).toMatchObject({ pid: process.pid, target: 'reference' });
    release();
    expect(existsSync(runLockFile(CLUSTER, dir))).toBe(false);
  });

  it('reclaims a lock file left empty by a run that died while writing it', () => {
    writeFileSync(runLockFile(CLUSTER, dir), '');
    const release = acquireRunLock(CLUSTER, 'reference', { dir });
    expect(JSON.parse(readFileSync(runLockFile(CLUSTER, dir), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('release leaves a lock that another run has taken since', () => {
    const release = acquireRunLock(CLUSTER, 'reference', { dir });
    writeFileSync(runLockFile(CLUSTER, dir), JSON.stringify({ pid: 1, cluster: CLUSTER, target: 'other', since: 'now' }));
    release();
    expect(existsSync(runLockFile(CLUSTER, dir))).toBe(true);
  });
});
