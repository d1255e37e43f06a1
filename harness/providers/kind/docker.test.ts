// The missing-Docker paths, for real: no engine at the socket, no docker
// command, and an engine that accepts but never answers. Each must end
// within its bound with one clear line.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoDockerError, dockerAvailable, requireDocker } from './docker.ts';

const saved = { DOCKER_HOST: process.env.DOCKER_HOST, PATH: process.env.PATH, DOCKER_CONTEXT: process.env.DOCKER_CONTEXT };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-docker-test-'));
  delete process.env.DOCKER_CONTEXT;
});
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('dockerAvailable', () => {
  it('says no, fast, when no engine listens at DOCKER_HOST', async () => {
    process.env.DOCKER_HOST = `unix://${dir}/absent.sock`;
    const started = performance.now();
    const status = await dockerAvailable();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(status.ok).toBe(false);
    expect(status.detail).toContain(`${dir}/absent.sock`);
    expect(status.detail).not.toContain('\n');
  });

  it('says the command is missing when there is no docker CLI', async () => {
    process.env.PATH = dir;
    expect(await dockerAvailable()).toEqual({ ok: false, detail: 'the docker command is not installed' });
  });

  it('gives up on an engine that accepts but never answers, at the bound', async () => {
    const socket = path.join(dir, 'silent.sock');
    const held: net.Socket[] = [];
    const server = net.createServer((s) => { held.push(s); }); // accepts, never replies
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      process.env.DOCKER_HOST = `unix://${socket}`;
      const started = performance.now();
      const status = await dockerAvailable(1_500);
      const elapsed = performance.now() - started;
      expect(status).toEqual({ ok: false, detail: 'docker version did not answer within 1500 ms' });
      expect(elapsed).toBeGreaterThanOrEqual(1_400);
      expect(elapsed).toBeLessThan(4_000);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('requireDocker', () => {
  it('throws one line that says what to do instead', async () => {
    process.env.DOCKER_HOST = `unix://${dir}/absent.sock`;
    const error = await requireDocker().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoDockerError);
    const message = (error as Error).message;
    expect(message).toMatch(/^no Docker engine answers \(.+\); the kind provider needs Docker — use the default local provider \(--provider local\) or start Docker$/);
    expect(message).not.toContain('\n');
  });
});
