// The forwarder against upstreams written byte by byte on loopback: the
// answers an echo process never gives (interim 1xx heads, close-delimited
// bodies, Server and Date of their own) and the asterisk request target.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../log.ts';
import { ProxyMetrics } from '../metrics.ts';
import { Balancer } from '../upstream/balancer.ts';
import { Forwarder } from './forwarder.ts';

/** An upstream that reads one request head and writes `answer` as is, then ends the connection. */
async function rawUpstream(answer: string): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) socket.end(answer);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Sends `request` raw to the front server and returns everything it answered until it closed. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`no end of answer within 5 s; got ${JSON.stringify(text)}`)));
    socket.on('data', (c) => (text += c.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('Forwarder', () => {
  const servers: net.Server[] = [];
  let front: http.Server;
  let frontPort: number;
  let upstreamPort = 0;
  let forwarder: Forwarder;

  beforeAll(async () => {
    forwarder = new Forwarder({ connectTimeoutMs: 1000, responseTimeoutMs: 2000, retries: 1, idleTimeoutMs: 5000 }, new Balancer('round-robin'), new ProxyMetrics(), memoryLogger(), 'vipcheck-proxy');
    front = http.createServer((req, res) => {
      const target = { backendKey: 'default/upstream:80', endpoints: [{ address: '127.0.0.1', port: upstreamPort, key: `127.0.0.1:${upstreamPort}`, pod: undefined }] };
      const ctx = { clientAddress: '127.0.0.1', proto: 'http' as const, localAddress: '127.0.0.1', port: frontPort, host: req.headers.host };
      // "/refused": an endpoint nobody listens on, so the answer is the proxy's own 502.
      if (req.url === '/refused') target.endpoints = [{ address: '127.0.0.1', port: 1, key: '127.0.0.1:1', pod: undefined }];
      forwarder.forward(req, res, target, ctx, req.url!, { closeAfter: () => false, maxBodyBytes: 1 << 20 });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontPort = (front.address() as AddressInfo).port;
  });

  afterAll(async () => {
    forwarder.close();
    front.closeAllConnections();
    await new Promise((resolve) => front.close(resolve));
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const upstream = async (answer: string) => {
    const server = await rawUpstream(answer);
    servers.push(server);
    upstreamPort = (server.address() as AddressInfo).port;
  };

  it('passes over interim 1xx heads and relays the final answer', async () => {
    await upstream('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    const answer = await rawRequest(frontPort, 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.endsWith('\r\n\r\nhello')).toBe(true);
  });

  it('keeps a body the upstream delimits by closing close-delimited, never re-chunked', async () => {
    await upstream('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789');
    const answer = await rawRequest(frontPort, 'GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(head).toMatch(/\r\nConnection: close/i);
    expect(body).toBe('0123456789');
  });

  it('still frames a chunked upstream answer for a keep-alive client', async () => {
    await upstream('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    const answer = await rawRequest(frontPort, 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/Transfer-Encoding: chunked\r\n/i);
    expect(answer.endsWith('\r\n\r\n5\r\nhello\r\n0\r\n\r\n')).toBe(true);
  });

  it('answers OPTIONS * itself: it is about the server, which is the proxy', async () => {
    await upstream('HTTP/1.1 500 Should Not Be Asked\r\nContent-Length: 0\r\n\r\n');
    const answer = await rawRequest(frontPort, 'OPTIONS * HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\nAllow: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS\r\n/);
  });

  const headOf = (answer: string) => answer.slice(0, answer.indexOf('\r\n\r\n'));
  const headerLines = (answer: string, name: string) => headOf(answer).split('\r\n').filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));

  it('adds its Server and a Date to an answer without them, and passes Content-Length and Content-Type as sent, over HTTP/1.1', async () => {
    await upstream('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{"ok":true}');
    for (const version of ['1.1', '1.0']) {
      const answer = await rawRequest(frontPort, `GET / HTTP/${version}\r\nHost: a.test\r\nConnection: close\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(headerLines(answer, 'server')).toEqual(['Server: vipcheck-proxy']);
      expect(headerLines(answer, 'date')).toHaveLength(1);
      expect(Date.parse(headerLines(answer, 'date')[0].slice(6))).toBeGreaterThan(Date.now() - 60_000);
      expect(headerLines(answer, 'content-length')).toEqual(['Content-Length: 11']);
      expect(headerLines(answer, 'content-type')).toEqual(['Content-Type: application/json']);
      expect(answer.endsWith('\r\n\r\n{"ok":true}')).toBe(true);
    }
  });

  it('keeps an upstream\'s own Server and Date as they are', async () => {
    await upstream('HTTP/1.1 200 OK\r\nServer: Apache/2.4 (Unix)\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    const answer = await rawRequest(frontPort, 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    expect(headerLines(answer, 'server')).toEqual(['Server: Apache/2.4 (Unix)']);
    expect(headerLines(answer, 'date')).toEqual(['Date: Tue, 01 Jan 2030 00:00:00 GMT']);
  });

  it('names itself in its own answers: 502, and OPTIONS *', async () => {
    await upstream('HTTP/1.1 500 Should Not Be Asked\r\nContent-Length: 0\r\n\r\n');
    const failed = await rawRequest(frontPort, 'GET /refused HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    expect(failed).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    expect(headerLines(failed, 'server')).toEqual(['Server: vipcheck-proxy']);
    expect(headerLines(failed, 'date')).toHaveLength(1);
    const body = failed.slice(failed.indexOf('\r\n\r\n') + 4);
    expect(headerLines(failed, 'content-length')).toEqual([`Content-Length: ${Buffer.byteLength(body)}`]);
    const options = await rawRequest(frontPort, 'OPTIONS * HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    expect(headerLines(options, 'server')).toEqual(['Server: vipcheck-proxy']);
  });
});
