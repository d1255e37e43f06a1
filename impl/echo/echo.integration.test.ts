// The real echo process on loopback: body fields, readiness switch, HTTPS,
// WebSocket echo and graceful shutdown.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTestPki, type TestPki } from '../proxy/testing/pki.ts';
import type { EchoBody } from './body.ts';
import { spawnEcho, type EchoProcess } from './spawn.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function request(options: http.RequestOptions & { body?: string; secure?: boolean; ca?: string; servername?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = options.secure ? https.request : http.request;
    const req = send({ host: '127.0.0.1', agent: false, ...options }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer within 5 s from ${options.path}`)));
    req.end(options.body);
  });
}

describe('echo process', () => {
  let pki: TestPki;
  let echo: EchoProcess;

  beforeAll(async () => {
    pki = await makeTestPki('echo');
    const leaf = await pki.issue(['echo.test']);
    echo = await spawnEcho({
      args: ['--tls-port', '0', '--tls-cert', leaf.certFile, '--tls-key', leaf.keyFile, '--max-body-bytes', '16'],
      env: { POD_NAME: 'echo-a', POD_NAMESPACE: 'ns1', NODE_NAME: 'node-0', POD_IP: '198.18.64.5', SERVICE_NAME: 'svc', SERVER_HEADER: 'vipcheck-echo' },
    });
  });

  afterAll(async () => {
    await echo?.stop();
    await pki?.dispose();
  });

  it('describes a request and who served it', async () => {
    const answer = await request({
      port: echo.httpPort,
      method: 'PUT',
      path: '/a/b?x=1&y=2',
      headers: { Host: 'foo.example', 'X-Multi': ['one', 'two'], 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-vipcheck-pod']).toBe('echo-a');
    expect(answer.headers.server).toBe('vipcheck-echo');
    const body = JSON.parse(answer.text) as EchoBody;
    expect(body).toMatchObject({
      path: '/a/b?x=1&y=2', host: 'foo.example', method: 'PUT', proto: 'HTTP/1.1',
      namespace: 'ns1', pod: 'echo-a', node: 'node-0', podIP: '198.18.64.5', service: 'svc', ingress: null,
      remoteAddress: '127.0.0.1', tls: null, body: 'hello', bodyBytes: 5, bodyTruncated: false,
    });
    expect(body.headers['x-multi']).toEqual(['one', 'two']);
    expect(typeof body.remotePort).toBe('number');
  });

  it('bounds the echoed body but counts all of it', async () => {
    const body = JSON.parse((await request({ port: echo.httpPort, method: 'POST', path: '/', body: 'x'.repeat(100) })).text) as EchoBody;
    expect(body).toMatchObject({ body: 'x'.repeat(16), bodyBytes: 100, bodyTruncated: true });
  });

  it('flips readiness through its endpoint', async () => {
    expect((await request({ port: echo.httpPort, path: '/_vipcheck/ready' })).status).toBe(200);
    expect((await request({ port: echo.httpPort, method: 'POST', path: '/_vipcheck/ready?value=false' })).status).toBe(200);
    expect((await request({ port: echo.httpPort, path: '/_vipcheck/ready' })).status).toBe(503);
    expect((await request({ port: echo.httpPort, method: 'POST', path: '/_vipcheck/ready?value=maybe' })).status).toBe(400);
    expect((await request({ port: echo.httpPort, method: 'POST', path: '/_vipcheck/ready?value=true' })).status).toBe(200);
    expect((await request({ port: echo.httpPort, path: '/_vipcheck/ready' })).status).toBe(200);
    expect((await request({ port: echo.httpPort, path: '/healthz' })).status).toBe(200);
  });

  it('reports the TLS session on its HTTPS port', async () => {
    const answer = await request({ secure: true, port: echo.tlsPort!, path: '/s', ca: pki.caCert, servername: 'echo.test', headers: { host: 'echo.test' } });
    const body = JSON.parse(answer.text) as EchoBody;
    expect(body.tls?.serverName).toBe('echo.test');
    expect(body.tls?.version).toMatch(/^TLSv1\.[23]$/);
    expect(body.tls?.cipher).toBeTruthy();
  });

  it('echoes WebSocket text and binary frames', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${echo.httpPort}/ws`);
    const frames: { data: string; binary: boolean }[] = [];
    let upgrade: http.IncomingMessage | undefined;
    ws.once('upgrade', (res) => (upgrade = res));
    const opened = new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const two = new Promise<void>((resolve) => ws.on('message', (data, binary) => {
      frames.push({ data: data.toString(), binary });
      if (frames.length === 2) resolve();
    }));
    await opened;
    expect(upgrade?.headers['x-vipcheck-pod']).toBe('echo-a');
    ws.send('ping-text');
    ws.send(Buffer.from('ping-bin'), { binary: true });
    await two;
    ws.close();
    expect(frames).toEqual([{ data: 'ping-text', binary: false }, { data: 'ping-bin', binary: true }]);
  });
});

describe('echo shutdown', () => {
  it('finishes an in-flight request on SIGTERM, refuses new connections, exits 0', async () => {
    const echo = await spawnEcho({ args: ['--start-unready'] });
    try {
      expect((await request({ port: echo.httpPort, path: '/_vipcheck/ready' })).status).toBe(503);
      // A request whose body is still arriving when SIGTERM lands.
      const socket = net.connect(echo.httpPort, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let reply = '';
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (reply += c));
      const closed = new Promise((r) => socket.once('close', r));
      socket.write('POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\n12345');
      await new Promise((r) => setTimeout(r, 200));
      const exited = echo.stop(8_000);
      await new Promise((r) => setTimeout(r, 300));
      await expect(request({ port: echo.httpPort, path: '/late' })).rejects.toThrow(/ECONNREFUSED/);
      socket.write('67890');
      await closed;
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(reply).toMatch(/connection: close/i);
      expect(reply).toContain('"body":"1234567890"');
      expect(await exited).toBe(0);
    } finally {
      await echo.stop(1_000);
    }
  });
});
