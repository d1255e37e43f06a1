// The proxy as a process (impl/proxy/main.ts --state-file): probes, metrics,
// reload on SIGHUP, and a graceful SIGTERM that lets an in-flight request
// finish.
import http from 'node:http';
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { spawnEcho, spawnListening, type EchoProcess, type ListeningProcess } from '../echo/spawn.ts';
import { waitUntil } from '../../lib/wait.ts';
import type { ClusterState } from './snapshot.ts';
import { testIngress, testService, testState } from './testing/state.ts';

const PROXY_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
const HOST = '127.0.0.20';

function get(port: number, urlPath: string, host?: string): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, path: urlPath, headers: host ? { host } : {}, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer within 5 s for ${urlPath}`)));
    req.end();
  });
}

function stateYaml(state: ClusterState): string {
  return [...state.ingressClasses, ...state.ingresses, ...state.services, ...state.endpointSlices, ...state.secrets]
    .map((o) => stringify(JSON.parse(JSON.stringify(o))))
    .join('---\n');
}

describe('proxy process with a state file', () => {
  let dir: string;
  let echo: EchoProcess;
  let proxy: ListeningProcess;
  let stateFile: string;
  let state: ClusterState;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vc-proxy-main-'));
    echo = await spawnEcho({ args: ['--host', '127.0.0.21'], env: { POD_NAME: 'echo-main' } });
    state = testState({
      ingresses: [testIngress('app', [{ host: 'app.test', paths: [{ path: '/', service: 'echo' }] }])],
      services: [testService('echo', [{ address: '127.0.0.21', port: echo.httpPort }])],
    });
    stateFile = path.join(dir, 'state.yaml');
    await writeFile(stateFile, stateYaml(state));
    proxy = await spawnListening(PROXY_MAIN, ['--state-file', stateFile, '--bind-address', HOST, '--http-port', '0', '--https-port', '0', '--metrics-port', '0'], {
      env: { VIPCHECK_SHUTDOWN_TIMEOUT_MS: '8000' },
    });
  });

  afterAll(async () => {
    await proxy?.stop(2_000);
    await echo?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the file, reports ready and counts requests', async () => {
    const port = proxy.listening.http!;
    expect(JSON.parse((await get(port, '/x', 'app.test')).text).pod).toBe('echo-main');
    expect((await get(port, '/x', 'other.test')).status).toBe(404);
    expect((await get(proxy.listening.metrics!, '/readyz')).status).toBe(200);
    expect((await get(proxy.listening.metrics!, '/healthz')).status).toBe(200);
    const metrics = (await get(proxy.listening.metrics!, '/metrics')).text;
    expect(metrics).toMatch(/vipcheck_proxy_requests_total\{code="200"\} [1-9]/);
    expect(metrics).toMatch(/vipcheck_proxy_requests_total\{code="404"\} [1-9]/);
    expect(metrics).toMatch(/vipcheck_proxy_upstream_latency_seconds_count [1-9]/);
  });

  it('reloads the file on SIGHUP', async () => {
    const port = proxy.listening.http!;
    const next = testState({
      ingresses: [testIngress('app', [{ host: 'renamed.test', paths: [{ path: '/', service: 'echo' }] }])],
      services: [testService('echo', [{ address: '127.0.0.21', port: echo.httpPort }])],
    });
    await writeFile(stateFile, stateYaml(next));
    process.kill(proxy.pid, 'SIGHUP');
    await waitUntil('renamed.test to be served after SIGHUP', () => get(port, '/', 'renamed.test').then((r) => r.status), (s) => s === 200, { timeoutMs: 5_000 });
    expect((await get(port, '/', 'app.test')).status).toBe(404);
  });

  it('drains on SIGTERM: the in-flight request completes, new connections are refused, exit 0', async () => {
    const port = proxy.listening.http!;
    const socket = net.connect(port, HOST);
    await new Promise((r) => socket.once('connect', r));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (reply += c));
    const closed = new Promise((r) => socket.once('close', r));
    // Head and half the body now; the rest after SIGTERM.
    socket.write('POST /upload HTTP/1.1\r\nHost: renamed.test\r\nContent-Length: 10\r\n\r\n12345');
    await waitUntil('the proxy to count the request in flight', () => get(proxy.listening.metrics!, '/metrics').then((r) => r.text), (t) => /requests_in_flight 1\b/.test(t), { timeoutMs: 3_000 });
    process.kill(proxy.pid, 'SIGTERM');
    await waitUntil('the listener to close', () => get(port, '/', 'renamed.test').then(() => 'still open', (e: Error) => e.message), (m) => m.includes('ECONNREFUSED'), { timeoutMs: 3_000, intervalMs: 50 });
    socket.write('67890');
    await closed;
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(reply).toMatch(/\r\nConnection: close\r\n/i);
    expect(reply).toContain('"body":"1234567890"');
    const exit = await proxy.child;
    expect(exit.exitCode).toBe(0);
    expect(proxy.output()).toContain('"msg":"stopped"');
  });
});
