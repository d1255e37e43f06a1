// The proxy core on loopback in front of real echo processes, fed routing
// state directly (no Kubernetes): balancing, connection reuse, upstream
// failures, retries, WebSocket, TLS/SNI, malformed and slow clients.
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnEcho, type EchoProcess } from '../echo/spawn.ts';
import type { EchoBody } from '../echo/body.ts';
import { waitUntil } from '../../lib/wait.ts';
import { memoryLogger } from './log.ts';
import { ProxyMetrics } from './metrics.ts';
import { ProxyServer } from './server/proxy-server.ts';
import { SnapshotBuilder, type ClusterState } from './snapshot.ts';
import { makeTestPki, type TestPki, type Issued } from './testing/pki.ts';
import { testIngress, testService, testState, testTlsSecret } from './testing/state.ts';
import { DEFAULT_CONTROLLER_NAME } from './routing/class-selection.ts';
import { selfSignedCertificate } from './tls/self-signed.ts';

const PROXY_IP = '127.0.0.10';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = EchoBody>(): T;
  peerCertificate?: tls.PeerCertificate;
}

function send(options: https.RequestOptions & { body?: string | Buffer[]; secure?: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = options.secure ? https.request : http.request;
    const req = request({ host: PROXY_IP, agent: false, ...options }, (res) => {
      const peerCertificate = options.secure ? (res.socket as tls.TLSSocket).getPeerCertificate() : undefined;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text), peerCertificate }));
    });
    req.on('error', reject);
    req.setTimeout(8_000, () => req.destroy(new Error(`no answer within 8 s for ${options.path}`)));
    if (Array.isArray(options.body)) {
      for (const chunk of options.body) req.write(chunk);
      req.end();
    } else req.end(options.body);
  });
}

/** Writes raw bytes and collects everything until the proxy closes the connection (bounded). */
function raw(port: number, data: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, PROXY_IP);
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (out += c));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`connection not closed within ${timeoutMs} ms; got ${JSON.stringify(out.slice(0, 200))}`)));
    socket.write(data);
  });
}

describe('proxy in front of echo processes', () => {
  let pki: TestPki;
  let certA: Issued;
  let certB: Issued;
  const echos: EchoProcess[] = [];
  let silent: net.Server;
  let custom: http.Server;
  const silentSockets = new Set<net.Socket>();
  let closedPort: number;
  let proxy: ProxyServer;
  let metrics: ProxyMetrics;
  let builder: SnapshotBuilder;
  let baseState: ClusterState;
  const log = memoryLogger();

  beforeAll(async () => {
    pki = await makeTestPki('proxy');
    certA = await pki.issue(['tls-a.test']);
    certB = await pki.issue(['tls-b.test', '*.wild-b.test']);
    for (const [i, pod] of ['echo-a', 'echo-b', 'echo-c'].entries()) {
      echos.push(await spawnEcho({ args: ['--host', `127.0.0.${11 + i}`], env: { POD_NAME: pod } }));
    }
    // An upstream that accepts and never answers.
    silent = net.createServer((socket) => {
      silentSockets.add(socket);
      socket.resume();
      socket.once('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.14', r));
    // An upstream with answers the echo never gives: chunked, 204, repeated Set-Cookie, hop-by-hop headers.
    custom = http.createServer((req, res) => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part-1;');
        setTimeout(() => res.end('part-2'), 20);
      } else if (req.url === '/empty') {
        res.writeHead(204, { 'x-empty': 'yes' });
        res.end();
      } else {
        res.writeHead(201, 'Made It', [
          'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Keep-Alive', 'timeout=30', 'Connection', 'keep-alive, X-Upstream-Hop',
          'X-Upstream-Hop', 'secret', 'Content-Length', '5', 'X-Kept', 'yes',
        ]);
        res.end(req.method === 'HEAD' ? undefined : 'hello');
      }
    });
    await new Promise<void>((r) => custom.listen(0, '127.0.0.17', r));
    // A port nothing listens on.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.15', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));

    const at = (i: number) => ({ address: `127.0.0.${11 + i}`, port: echos[i].httpPort, pod: `echo-${'abc'[i]}` });
    baseState = testState({
      ingresses: [
        testIngress('main', [
          { host: 'spread.test', paths: [{ path: '/', service: 'three' }] },
          { host: 'one.test', paths: [{ path: '/', service: 'one' }, { path: '/by-name', service: 'one', port: 'http' }] },
          { host: 'closed.test', paths: [{ path: '/', service: 'closed' }] },
          { host: 'none.test', paths: [{ path: '/', service: 'none' }] },
          { host: 'missing.test', paths: [{ path: '/', service: 'missing' }] },
          { host: 'silent.test', paths: [{ path: '/', service: 'silent' }] },
          { host: 'retry.test', paths: [{ path: '/', service: 'retry' }] },
          { host: 'custom.test', paths: [{ path: '/', service: 'custom' }] },
          { paths: [{ path: '/hostless-only', pathType: 'Exact', service: 'one' }] },
        ]),
        testIngress('secure', [
          { host: 'tls-a.test', paths: [{ path: '/', service: 'one' }] },
          { host: 'tls-b.test', paths: [{ path: '/', service: 'one' }] },
          { host: 'x.wild-b.test', paths: [{ path: '/', service: 'one' }] },
        ], { tls: [{ hosts: ['tls-a.test'], secretName: 'cert-a' }, { hosts: ['tls-b.test', '*.wild-b.test'], secretName: 'cert-b' }] }),
      ],
      services: [
        testService('three', [at(0), at(1), at(2)]),
        testService('one', [at(0)]),
        testService('custom', [{ address: '127.0.0.17', port: (custom.address() as AddressInfo).port }]),
        testService('closed', [{ address: '127.0.0.15', port: closedPort }]),
        testService('none', [{ ...at(1), ready: false }]),
        testService('silent', [{ address: '127.0.0.14', port: (silent.address() as AddressInfo).port }]),
        // its own closed address: ejection is per endpoint, and closed.test's endpoint may be ejected already
        testService('retry', [{ address: '127.0.0.16', port: closedPort, pod: 'gone' }, at(0)]),
      ],
      secrets: [testTlsSecret('cert-a', certA), testTlsSecret('cert-b', certB)],
    });

    metrics = new ProxyMetrics();
    const defaultCertificate = selfSignedCertificate({ commonName: 'vipcheck-proxy-default-certificate' });
    builder = new SnapshotBuilder({ controllerName: DEFAULT_CONTROLLER_NAME }, defaultCertificate);
    proxy = await ProxyServer.start({
      httpPort: 0,
      httpsPort: 0,
      bindAddress: PROXY_IP,
      defaultCertificate,
      balance: 'round-robin',
      metrics,
      log,
      serverHeader: 'vipcheck-proxy-test',
      client: { headersTimeoutMs: 1_000, requestTimeoutMs: 3_000, keepAliveTimeoutMs: 5_000, maxHeaderBytes: 4_096, maxUriBytes: 2_048, maxBodyBytes: 64 * 1024 },
      upstream: { connectTimeoutMs: 1_000, responseTimeoutMs: 700, retries: 2, idleTimeoutMs: 10_000 },
    });
    proxy.update(builder.build(baseState));
  });

  afterAll(async () => {
    await proxy?.shutdown(1_000);
    await Promise.all(echos.map((e) => e.stop()));
    for (const socket of silentSockets) socket.destroy();
    await new Promise((r) => (silent ? silent.close(r) : r(undefined)));
    custom?.closeAllConnections();
    await new Promise((r) => (custom ? custom.close(r) : r(undefined)));
    await pki?.dispose();
  });

  it('spreads requests round-robin over three echo pods', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const pods: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const answer = await send({ port: proxy.httpPort, path: `/r/${i}`, headers: { host: 'spread.test' }, agent });
      expect(answer.status).toBe(200);
      const pod = answer.json().pod!;
      pods[pod] = (pods[pod] ?? 0) + 1;
    }
    agent.destroy();
    expect(pods).toEqual({ 'echo-a': 10, 'echo-b': 10, 'echo-c': 10 });
  });

  it('reuses one upstream connection for sequential requests', async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 5; i++) ports.add((await send({ port: proxy.httpPort, path: '/', headers: { host: 'one.test' } })).json().remotePort!);
    expect(ports.size).toBe(1);
  });

  it('passes method, path, query, body and headers, and adds X-Forwarded-*', async () => {
    const answer = await send({
      port: proxy.httpPort, method: 'PATCH', path: '/by-name/x?q=1&r=%20',
      headers: { host: 'one.test:8080', 'x-forwarded-for': '203.0.113.9', 'x-custom': 'kept', connection: 'keep-alive, x-hop', 'x-hop': 'dropped' },
      body: 'payload-123',
    });
    const body = answer.json();
    expect(body).toMatchObject({ method: 'PATCH', path: '/by-name/x?q=1&r=%20', host: 'one.test:8080', body: 'payload-123', pod: 'echo-a' });
    expect(body.headers['x-forwarded-for']).toEqual(['203.0.113.9, 127.0.0.1']);
    expect(body.headers['x-forwarded-proto']).toEqual(['http']);
    expect(body.headers['x-forwarded-host']).toEqual(['one.test:8080']);
    expect(body.headers['x-forwarded-port']).toEqual([String(proxy.httpPort)]);
    expect(body.headers['x-custom']).toEqual(['kept']);
    expect(body.headers['x-hop']).toBeUndefined();
  });

  it('streams a chunked request body intact', async () => {
    const chunks = [Buffer.from('first-'), Buffer.from('second-'), Buffer.from('third')];
    const body = (await send({ port: proxy.httpPort, method: 'POST', path: '/upload', headers: { host: 'one.test', 'transfer-encoding': 'chunked' }, body: chunks })).json();
    expect(body).toMatchObject({ body: 'first-second-third', bodyBytes: 18 });
    // Framing is hop-by-hop: the upstream request may be chunked or carry the exact length, never both.
    const framing = [body.headers['transfer-encoding'], body.headers['content-length']];
    expect([[['chunked'], undefined], [undefined, ['18']]]).toContainEqual(framing);

    // A body still arriving when the upstream request starts is streamed, chunked.
    const slow = await new Promise<Answer>((resolve, reject) => {
      const req = http.request({ host: PROXY_IP, port: proxy.httpPort, method: 'POST', path: '/slow', headers: { host: 'one.test' }, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) }));
      });
      req.on('error', reject);
      req.write('early-');
      setTimeout(() => req.end('late'), 300);
    });
    expect(slow.json()).toMatchObject({ body: 'early-late', bodyBytes: 10 });
    expect(slow.json().headers['transfer-encoding']).toEqual(['chunked']);
  });

  it('relays upstream answers faithfully: status text, repeated headers, chunked bodies, 204, HEAD', async () => {
    const created = await new Promise<{ status: number; message: string; raw: string[]; text: string }>((resolve, reject) => {
      http.get({ host: PROXY_IP, port: proxy.httpPort, path: '/', headers: { host: 'custom.test' }, agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, message: res.statusMessage!, raw: res.rawHeaders, text }));
      }).on('error', reject);
    });
    expect([created.status, created.message, created.text]).toEqual([201, 'Made It', 'hello']);
    const names = created.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => n === 'set-cookie')).toHaveLength(2);
    expect(names).toContain('x-kept');
    expect(names).not.toContain('x-upstream-hop');
    expect(created.raw).not.toContain('timeout=30');
    const chunked = await send({ port: proxy.httpPort, path: '/chunked', headers: { host: 'custom.test' } });
    expect([chunked.status, chunked.text, chunked.headers['transfer-encoding']]).toEqual([200, 'part-1;part-2', 'chunked']);
    const empty = await send({ port: proxy.httpPort, path: '/empty', headers: { host: 'custom.test' } });
    expect([empty.status, empty.text, empty.headers['x-empty']]).toEqual([204, '', 'yes']);
    const head = await send({ port: proxy.httpPort, method: 'HEAD', path: '/', headers: { host: 'custom.test' } });
    expect([head.status, head.text, head.headers['content-length']]).toEqual([201, '', '5']);
  });

  it('answers 404 without a rule, 503 without a Service or ready endpoint, 502 on a closed port, 504 on a silent upstream', async () => {
    const get = (host: string) => send({ port: proxy.httpPort, path: '/', headers: { host } });
    const noRoute = await get('nowhere.test');
    expect([noRoute.status, noRoute.headers['x-vipcheck-proxy-error']]).toEqual([404, 'no-route']);
    const missing = await get('missing.test');
    expect([missing.status, missing.headers['x-vipcheck-proxy-error']]).toEqual([503, 'no-endpoints']);
    expect(missing.text).toContain('Service default/missing does not exist');
    const none = await get('none.test');
    expect([none.status, none.text]).toEqual([503, expect.stringContaining('has no ready endpoint')]);
    const closed = await get('closed.test');
    expect([closed.status, closed.headers['x-vipcheck-proxy-error']]).toEqual([502, 'upstream-error']);
    expect(closed.text).toContain('ECONNREFUSED');
    const started = Date.now();
    const timeout = await get('silent.test');
    expect([timeout.status, timeout.headers['x-vipcheck-proxy-error']]).toEqual([504, 'upstream-timeout']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(log.lines.filter((l) => l.msg === 'upstream failed').map((l) => l.fields?.status)).toEqual(expect.arrayContaining([502, 504]));
    // the other routes are unaffected
    expect((await get('one.test')).status).toBe(200);
  });

  it('answers 404 to every method when no rule and no default backend matches: unknown names, IP literals, no Host', async () => {
    const port = proxy.httpPort;
    const hosts = ['nowhere.test', PROXY_IP, `${PROXY_IP}:${port}`, '[::1]', '[2001:db8::10]:8080'];
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
      for (const host of hosts) {
        const answer = await send({ port, method, path: '/unmatched?x=1', headers: { host }, body: ['POST', 'PUT', 'PATCH'].includes(method) ? 'body' : undefined });
        expect([method, host, answer.status, answer.headers['x-vipcheck-proxy-error']]).toEqual([method, host, 404, 'no-route']);
        expect(answer.headers.server).toBe('vipcheck-proxy-test');
      }
      const noHost = await raw(port, `${method} /unmatched HTTP/1.0\r\n\r\n`);
      expect([method, noHost.split('\r\n')[0]]).toEqual([method, 'HTTP/1.1 404 Not Found']);
    }
    // a host-less rule is a rule for every host, IP literals included
    for (const host of hosts) expect((await send({ port, path: '/hostless-only', headers: { host } })).status).toBe(200);
  });

  it('names itself (Server) and dates every answer it makes or forwards for a backend without a Server', async () => {
    const port = proxy.httpPort;
    const get = (host: string, path = '/') => send({ port, path, headers: { host } });
    const proxied = await get('one.test');
    expect([proxied.status, proxied.headers.server, proxied.headers['content-type']]).toEqual([200, 'vipcheck-proxy-test', 'application/json']);
    expect(Number(proxied.headers['content-length'])).toBe(Buffer.byteLength(proxied.text));
    for (const answer of [proxied, await get('nowhere.test'), await get('missing.test'), await get('closed.test'), await get('silent.test')]) {
      expect(answer.headers.server).toBe('vipcheck-proxy-test');
      expect(Date.now() - Date.parse(answer.headers.date ?? '')).toBeLessThan(60_000);
      expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.text));
    }
    const header = (text: string, name: string) => text.split('\r\n\r\n')[0].split('\r\n').find((l) => l.toLowerCase().startsWith(`${name}:`));
    for (const request of [
      'GARBAGE\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: one.test\r\nX-Big: ${'b'.repeat(5_000)}\r\n\r\n`,
      'CONNECT one.test:443 HTTP/1.1\r\nHost: one.test:443\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: one.test\r\nContent-Length: 100000\r\n\r\n',
      'GET /ws HTTP/1.1\r\nHost: nowhere.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    ]) {
      const answer = await raw(port, request);
      expect([answer.split('\r\n')[0], header(answer, 'server')]).toEqual([expect.stringMatching(/^HTTP\/1\.1 4\d\d /), 'Server: vipcheck-proxy-test']);
      expect(header(answer, 'date')).toBeDefined();
    }
  });

  it('retries a refused connection on another endpoint', async () => {
    const before = metrics.render().match(/vipcheck_proxy_upstream_retries_total (\d+)/)![1];
    for (let i = 0; i < 6; i++) {
      const answer = await send({ port: proxy.httpPort, method: i % 2 ? 'POST' : 'GET', path: `/${i}`, headers: { host: 'retry.test' }, body: i % 2 ? 'posted' : undefined });
      expect(answer.status).toBe(200);
      expect(answer.json().pod).toBe('echo-a');
    }
    const after = metrics.render().match(/vipcheck_proxy_upstream_retries_total (\d+)/)![1];
    // request 1 meets the closed port once; the endpoint is then passed over
    expect(Number(after) - Number(before)).toBe(1);
  });

  it('tunnels a WebSocket upgrade both ways', async () => {
    const ws = new WebSocket(`ws://${PROXY_IP}:${proxy.httpPort}/socket`, { headers: { host: 'spread.test' } });
    let pod: string | undefined;
    ws.once('upgrade', (res) => (pod = res.headers['x-vipcheck-pod'] as string));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const replies: string[] = [];
    const done = new Promise<void>((resolve) => ws.on('message', (data) => {
      replies.push(data.toString());
      if (replies.length === 3) resolve();
    }));
    for (const text of ['one', 'two', 'x'.repeat(70_000)]) ws.send(text);
    await done;
    ws.close();
    expect(replies).toEqual(['one', 'two', 'x'.repeat(70_000)]);
    expect(pod).toMatch(/^echo-[abc]$/);
  });

  it('picks the certificate by SNI and routes by Host', async () => {
    const a = await send({ secure: true, port: proxy.httpsPort!, path: '/', servername: 'tls-a.test', ca: pki.caCert, headers: { host: 'tls-a.test' } });
    expect(a.status).toBe(200);
    expect(a.peerCertificate?.subject.CN).toBe('tls-a.test');
    expect(a.json().headers['x-forwarded-proto']).toEqual(['https']);
    const b = await send({ secure: true, port: proxy.httpsPort!, path: '/', servername: 'tls-b.test', ca: pki.caCert, headers: { host: 'tls-b.test' } });
    expect(b.peerCertificate?.subject.CN).toBe('tls-b.test');
    const wild = await send({ secure: true, port: proxy.httpsPort!, path: '/', servername: 'x.wild-b.test', ca: pki.caCert, headers: { host: 'x.wild-b.test' } });
    expect([wild.status, wild.peerCertificate?.subject.CN]).toEqual([200, 'tls-b.test']);
    const other = await send({ secure: true, port: proxy.httpsPort!, path: '/', servername: 'unknown.test', rejectUnauthorized: false, headers: { host: 'one.test' } });
    expect([other.status, other.peerCertificate?.subject.CN]).toEqual([200, 'vipcheck-proxy-default-certificate']);
  });

  it('serves a changed Secret after a reload without dropping open connections', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await send({ port: proxy.httpPort, path: '/', headers: { host: 'one.test' }, agent });
    const renewed = await pki.issue(['tls-a.test']);
    const state = { ...baseState, secrets: [testTlsSecret('cert-a', renewed), testTlsSecret('cert-b', certB)] };
    proxy.update(builder.build(state));
    const second = await send({ port: proxy.httpPort, path: '/', headers: { host: 'one.test' }, agent });
    agent.destroy();
    // same client connection (the proxy's reply came over the kept-alive socket) and same upstream socket
    expect(second.json().remotePort).toBe(first.json().remotePort);
    const a = await send({ secure: true, port: proxy.httpsPort!, path: '/', servername: 'tls-a.test', ca: pki.caCert, headers: { host: 'tls-a.test' } });
    expect(a.peerCertificate?.serialNumber).toBe(new (await import('node:crypto')).X509Certificate(renewed.cert).serialNumber);
    proxy.update(builder.build(baseState));
  });

  it('answers malformed requests with the right status and keeps serving', async () => {
    const port = proxy.httpPort;
    const status = (text: string) => text.split('\r\n')[0];
    expect(status(await raw(port, 'GARBAGE\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    expect(status(await raw(port, 'GET / HTTP/1.1\r\nHost: one.test\r\nBad Header: x\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    expect(status(await raw(port, `GET / HTTP/1.1\r\nHost: one.test\r\nX-Big: ${'b'.repeat(5_000)}\r\n\r\n`))).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(status(await raw(port, `GET /${'u'.repeat(3_000)} HTTP/1.1\r\nHost: one.test\r\n\r\n`))).toBe('HTTP/1.1 414 URI Too Long');
    expect(status(await raw(port, `GET /${'u'.repeat(10_000)} HTTP/1.1\r\nHost: one.test\r\n\r\n`))).toBe('HTTP/1.1 414 URI Too Long');
    expect(status(await raw(port, 'GET / HTTP/3.0\r\nHost: one.test\r\n\r\n'))).toBe('HTTP/1.1 505 HTTP Version Not Supported');
    expect(status(await raw(port, 'GET / HTTP/2.0\r\nHost: one.test\r\n\r\n'))).toBe('HTTP/1.1 505 HTTP Version Not Supported');
    expect(status(await raw(port, 'CONNECT one.test:443 HTTP/1.1\r\nHost: one.test:443\r\n\r\n'))).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(status(await raw(port, 'POST / HTTP/1.1\r\nHost: one.test\r\nContent-Length: 100000\r\n\r\n'))).toBe('HTTP/1.1 413 Payload Too Large');
    const bigChunk = `${(70_000).toString(16)}\r\n${'c'.repeat(70_000)}\r\n0\r\n\r\n`;
    expect(status(await raw(port, `POST / HTTP/1.1\r\nHost: one.test\r\nTransfer-Encoding: chunked\r\n\r\n${bigChunk}`))).toBe('HTTP/1.1 413 Payload Too Large');
    expect(status(await raw(port, 'POST / HTTP/1.1\r\nHost: one.test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    expect(status(await raw(port, 'GET / HTTP/1.1\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    const http10 = await raw(port, 'GET /hostless-only HTTP/1.0\r\n\r\n');
    expect(status(http10)).toBe('HTTP/1.1 200 OK');
    expect(http10).toContain(`"host":"${PROXY_IP}:${port}"`);
    const absolute = await raw(port, 'GET http://one.test/abs?x=1 HTTP/1.1\r\nHost: ignored.test\r\nConnection: close\r\n\r\n');
    expect(status(absolute)).toBe('HTTP/1.1 200 OK');
    expect(absolute).toContain('"path":"/abs?x=1"');
    expect((await send({ port, path: '/', headers: { host: 'one.test' } })).status).toBe(200);
  });

  it('times out a slowloris client and keeps serving others meanwhile', async () => {
    const socket = net.connect(proxy.httpPort, PROXY_IP);
    await new Promise((r) => socket.once('connect', r));
    let reply = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (reply += c));
    let closedAt = 0;
    socket.once('close', () => (closedAt = Date.now()));
    const started = Date.now();
    socket.write('GET / HTTP/1.1\r\nHost: one.test\r\nX-Slow: ');
    const drip = setInterval(() => socket.writable && socket.write('z'), 100);
    try {
      for (let i = 0; i < 5; i++) expect((await send({ port: proxy.httpPort, path: `/meanwhile/${i}`, headers: { host: 'one.test' } })).status).toBe(200);
      await waitUntil('the slow client to be disconnected', () => closedAt, (t) => t > 0, { timeoutMs: 5_000, intervalMs: 50 });
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    expect(closedAt - started).toBeGreaterThanOrEqual(900);
    expect(closedAt - started).toBeLessThan(3_000);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
  });
});
