import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { ContainerProbes, ProbeTracker, probeSettings, resolveProbePort, runProbe, type ProbeTarget } from './probes.ts';

describe('probeSettings', () => {
  it('applies the Kubernetes defaults', () => {
    expect(probeSettings({}, 'readiness')).toEqual({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 });
  });
  it('honours the given values', () => {
    expect(probeSettings({ initialDelaySeconds: 2, periodSeconds: 1, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 1 }, 'readiness'))
      .toEqual({ initialDelayMs: 2000, periodMs: 1000, timeoutMs: 3000, successThreshold: 2, failureThreshold: 1 });
  });
});

describe('ProbeTracker', () => {
  const settings = { initialDelayMs: 0, periodMs: 1000, timeoutMs: 1000, successThreshold: 2, failureThreshold: 3 };

  it('readiness: needs successThreshold successes in a row to become ready', () => {
    const t = new ProbeTracker(settings, 'failure');
    expect(t.record(true)).toBe(false);
    expect(t.result).toBe('failure');
    expect(t.record(false)).toBe(false);
    expect(t.record(true)).toBe(false);
    expect(t.record(true)).toBe(true);
    expect(t.result).toBe('success');
  });

  it('needs failureThreshold failures in a row to flip back', () => {
    const t = new ProbeTracker(settings, 'success');
    expect([t.record(false), t.record(false), t.record(true)]).toEqual([false, false, false]);
    expect([t.record(false), t.record(false), t.record(false)]).toEqual([false, false, true]);
    expect(t.result).toBe('failure');
    expect(t.record(false)).toBe(false);
  });

  it('startup: unknown until a threshold is reached either way', () => {
    const ok = new ProbeTracker({ ...settings, successThreshold: 1 }, undefined);
    expect(ok.result).toBeUndefined();
    expect(ok.record(true)).toBe(true);
    const bad = new ProbeTracker(settings, undefined);
    expect([bad.record(false), bad.record(false), bad.record(false)]).toEqual([false, false, true]);
    expect(bad.result).toBe('failure');
  });
});

describe('resolveProbePort', () => {
  const ports = [{ name: 'http', containerPort: 8080 }];
  it('accepts numbers, numeric strings and port names', () => {
    expect(resolveProbePort(81, ports)).toBe(81);
    expect(resolveProbePort('82', ports)).toBe(82);
    expect(resolveProbePort('http', ports)).toBe(8080);
  });
  it('names an unknown port', () => {
    expect(() => resolveProbePort('metrics', ports)).toThrow(/"metrics", which is not a port of the container/);
  });
});

describe('runProbe against loopback servers', () => {
  let server: http.Server;
  let port: number;
  let seenHeaders: http.IncomingHttpHeaders = {};
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seenHeaders = req.headers;
      if (req.url === '/ok') res.writeHead(200).end('ok');
      else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 3000);
      else res.writeHead(503).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const target = (): ProbeTarget => ({ host: '127.0.0.1', ports: [{ name: 'web', containerPort: port }], exec: async (argv) => (argv[0] === 'true' ? 0 : 1) });

  it('httpGet: 2xx and 3xx succeed, sending the given headers', async () => {
    expect(await runProbe({ httpGet: { path: '/ok', port: 'web', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target(), 1000)).toEqual({ ok: true });
    expect(seenHeaders['x-probe']).toBe('yes');
    expect(seenHeaders['user-agent']).toBe('kube-probe/1.37');
    expect((await runProbe({ httpGet: { path: '/redirect', port } }, target(), 1000)).ok).toBe(true);
  });

  it('httpGet: 5xx and timeouts fail with a reason', async () => {
    expect(await runProbe({ httpGet: { path: '/down', port } }, target(), 1000)).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
    const slow = await runProbe({ httpGet: { path: '/slow', port } }, target(), 200);
    expect(slow.ok).toBe(false);
    expect(slow.message).toMatch(/timed out after 200 ms/);
  });

  it('tcpSocket: connect succeeds, a closed port fails', async () => {
    expect((await runProbe({ tcpSocket: { port } }, target(), 1000)).ok).toBe(true);
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const result = await runProbe({ tcpSocket: { port: closedPort } }, target(), 1000);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/ECONNREFUSED/);
  });

  it('exec: exit 0 succeeds, anything else fails', async () => {
    expect((await runProbe({ exec: { command: ['true'] } }, target(), 1000)).ok).toBe(true);
    expect(await runProbe({ exec: { command: ['false'] } }, target(), 1000)).toEqual({ ok: false, message: 'command exited with 1' });
  });
});

describe('ContainerProbes', () => {
  afterEach(() => vi.useRealTimers());

  /** Probes whose checks answer from `answers` (by probe), recording the events in order. */
  function setup(container: V1Container, answers: Map<V1Probe, boolean[]>) {
    const events: string[] = [];
    let current = true;
    const probes = new ContainerProbes(container, (probe) => async () => ({ ok: answers.get(probe)?.shift() ?? true, message: 'no answer' }), {
      current: () => current,
      readiness: (ok) => events.push(`ready ${ok}`),
      started: () => events.push('started'),
      failed: (kind, message) => events.push(`${kind} failed: ${message}`),
    });
    return { probes, events, retire: () => (current = false) };
  }

  it('runs readiness and liveness only after the startup probe succeeded', async () => {
    vi.useFakeTimers();
    const startupProbe = { periodSeconds: 1, failureThreshold: 5, exec: { command: ['true'] } };
    const readinessProbe = { periodSeconds: 1, exec: { command: ['true'] } };
    const livenessProbe = { periodSeconds: 1, failureThreshold: 1, exec: { command: ['true'] } };
    const { probes, events } = setup({ name: 'app', startupProbe, readinessProbe, livenessProbe }, new Map([
      [startupProbe, [false, false, true]],
      [readinessProbe, [true]],
      [livenessProbe, [true, false]],
    ]));
    probes.start();
    await vi.advanceTimersByTimeAsync(2500);
    expect(events).toEqual(['started', 'ready true']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(events).toEqual(['started', 'ready true', 'liveness failed: no answer']);
    probes.stop();
  });

  it('a failing startup probe asks for a restart; without one, readiness starts at once', async () => {
    vi.useFakeTimers();
    const startupProbe = { periodSeconds: 1, failureThreshold: 2, exec: { command: ['false'] } };
    const failing = setup({ name: 'app', startupProbe }, new Map([[startupProbe, [false, false]]]));
    failing.probes.start();
    await vi.advanceTimersByTimeAsync(1500);
    expect(failing.events).toEqual(['startup failed: no answer']);
    failing.probes.stop();

    const readinessProbe = { periodSeconds: 1, exec: { command: ['true'] } };
    const plain = setup({ name: 'app', readinessProbe }, new Map([[readinessProbe, [true]]]));
    plain.probes.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(plain.events).toEqual(['ready true']);
    plain.probes.stop();
  });

  it('results for a run that is no longer current are dropped; stop ends all checks', async () => {
    vi.useFakeTimers();
    const readinessProbe = { periodSeconds: 1, exec: { command: ['true'] } };
    const { probes, events, retire } = setup({ name: 'app', readinessProbe }, new Map([[readinessProbe, [true, false, false, false]]]));
    retire();
    probes.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual([]);
    probes.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events).toEqual([]);
  });
});
