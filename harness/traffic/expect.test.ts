import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CasesTimeoutError, caseName, distinct, expectEventually, observation, problemWith } from './expect.ts';
import { closeConnections, type HttpResponse } from './client.ts';

const echo = (service: string, path = '/') => ({ service, pod: `${service}-abc`, path, headers: {}, method: 'GET' }) as unknown as HttpResponse['echo'];
const response = (status: number, extra: Partial<HttpResponse> = {}): HttpResponse => ({ status, headers: {}, text: '', durationMs: 1, ...extra });

describe('problemWith', () => {
  it('accepts the right backend with status 200 by default', () => {
    expect(problemWith(response(200, { echo: echo('foo') }), { backend: 'foo' })).toBeUndefined();
  });
  it('names the service that answered instead', () => {
    expect(problemWith(response(200, { echo: echo('bar') }), { backend: 'foo' })).toBe('answered by service "bar" (pod bar-abc), want "foo"');
  });
  it('reports a wrong status with a body excerpt', () => {
    expect(problemWith(response(503, { text: 'no endpoints' }), { backend: 'foo' })).toBe('status 503, want 200 (body: "no endpoints")');
  });
  it('checks 404 without a backend', () => {
    expect(problemWith(response(404), { status: 404 })).toBeUndefined();
    expect(problemWith(response(200, { echo: echo('foo') }), { status: 404 })).toMatch(/^status 200, want 404 \(echo from foo-abc/);
  });
  it('checks the path the backend saw and headers', () => {
    expect(problemWith(response(200, { echo: echo('foo', '/a?b=1') }), { path: '/a?b=2' })).toBe('backend saw path /a?b=1, want /a?b=2');
    expect(problemWith(response(200, { headers: { 'x-a': '1' } }), { headers: { 'X-A': /^\d$/ } })).toBeUndefined();
    expect(problemWith(response(200, { headers: {} }), { headers: { 'x-a': '1' } })).toBe('header x-a: absent, want 1');
  });
});

describe('caseName', () => {
  it('says what is sent and wanted, without the address when a Host is sent', () => {
    expect(caseName({ request: { address: '198.19.0.1', host: 'foo.bar.com', path: '/foo' }, expect: { backend: 'echo-a' } })).toBe('GET foo.bar.com/foo → 200 from echo-a');
    expect(caseName({ request: { address: '198.19.0.1', host: 'foo.bar.com', path: '/bar' }, expect: { status: 404 } })).toBe('GET foo.bar.com/bar → 404');
  });
  it('names scheme, port, SNI, request headers, the rewritten path and checked headers where they matter', () => {
    expect(caseName({ request: { address: '198.19.0.1', scheme: 'https', port: 8443, host: 'a.example', sni: 'b.example', headers: { 'x-a': '1' } }, expect: { backend: 'a', path: '/x', headers: { Location: /./ } } }))
      .toBe('GET https://a.example:8443/ SNI b.example [x-a: 1] → 200 from a at /x with location');
    expect(caseName({ request: { address: '198.19.0.9', port: 80 }, expect: {} })).toBe('GET 198.19.0.9/ → 200');
    expect(caseName({ request: { address: '198.19.0.9', host: null, method: 'POST' }, expect: { status: 400 } })).toBe('POST 198.19.0.9 (no Host)/ → 400');
  });
  it('is made unique with a suffix', () => {
    expect(distinct(['a', 'b', 'a', 'a'], ['b'])).toEqual(['a', 'b (2)', 'a (2)', 'a (3)']);
  });
});

describe('observation', () => {
  it('keeps who answered and the checked headers; the body only for a failure without a backend', () => {
    const answered = response(200, { echo: echo('foo', '/a'), headers: { 'x-a': ['1', '2'] }, text: '{"long":"json"}' });
    expect(observation({ response: answered }, { backend: 'foo', headers: { 'X-A': '1, 2', 'X-B': 'x' } }, undefined)).toEqual({
      summary: '200 from foo (pod foo-abc), x-a: "1, 2", x-b: absent', status: 200, service: 'foo', pod: 'foo-abc', node: undefined, path: '/a', headers: { 'x-a': '1, 2', 'x-b': null },
    });
    const page = response(502, { text: `<html>${'x'.repeat(300)}</html>` });
    const seen = observation({ response: page }, {}, 'status 502, want 200');
    expect(seen.body).toHaveLength(201);
    expect(seen).toMatchObject({ summary: '502', status: 502, problem: 'status 502, want 200' });
    expect(observation({ error: 'connect ECONNREFUSED 127.0.0.1:1' }, {}, 'request failed: connect ECONNREFUSED 127.0.0.1:1'))
      .toEqual({ summary: 'request failed: connect ECONNREFUSED 127.0.0.1:1', error: 'connect ECONNREFUSED 127.0.0.1:1', problem: 'request failed: connect ECONNREFUSED 127.0.0.1:1' });
  });
});

describe('expectEventually', () => {
  // Echoes as service <first path segment>; /late answers 503 to its first two requests.
  let server: http.Server;
  let port: number;
  let closedPort: number;
  let lateCount = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const service = (req.url ?? '/').split(/[/?]/)[1];
      if (service === 'late' && ++lateCount <= 2) return res.writeHead(503).end('warming up');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, path: req.url, host: req.headers.host, headers: {}, service, pod: `${service}-pod`, node: 'n1' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });
  afterAll(async () => {
    await closeConnections();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const at = (path: string) => ({ address: '127.0.0.1', port, host: 'cases.example', path });

  it('reports every case passed, with the poll from which each held', async () => {
    const result = await expectEventually('two paths', [
      { request: at('/a'), expect: { backend: 'a' } },
      { name: 'late starter', request: at('/late'), expect: { backend: 'late' } },
    ], { timeoutMs: 5_000, intervalMs: 20 });
    expect(result.cases.map((c) => [c.name, c.status, c.polls, c.observed.summary, c.wait])).toEqual([
      [`GET cases.example:${port}/a → 200 from a`, 'passed', 1, '200 from a (pod a-pod)', 'two paths'],
      ['late starter', 'passed', 3, '200 from late (pod late-pod)', 'two paths'],
    ]);
  });

  it('names each failing case and what it last saw when a case never holds', async () => {
    const cases = [
      { request: at('/a'), expect: { backend: 'a' } },
      { request: at('/b'), expect: { status: 404 } },
      { request: at('/c'), expect: { backend: 'c', path: '/c' } },
      { name: 'nothing listens', request: { address: '127.0.0.1', port: closedPort, path: '/' }, expect: {} },
    ];
    const error = await expectEventually('four paths', cases, { timeoutMs: 600, intervalMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CasesTimeoutError);
    const { message, cases: results } = error as CasesTimeoutError;
    const lines = message.split('\n');
    expect(lines[0]).toMatch(/^timed out after \d+ ms waiting for four paths; last observed: 2 of 4 cases failing:$/);
    expect(lines[1]).toBe(`  GET cases.example:${port}/b → 404: status 200, want 404 (echo from b-pod of service b) (sent GET http://127.0.0.1:${port}/b Host: cases.example)`);
    expect(lines[2]).toMatch(/^ {2}nothing listens: request failed: .*ECONNREFUSED.* \(sent GET http:\/\/127\.0\.0\.1:\d+\/\)$/);
    expect(lines).toHaveLength(3);
    expect(results.map((c) => c.status)).toEqual(['passed', 'failed', 'passed', 'failed']);
    expect(results[1].observed).toMatchObject({ status: 200, service: 'b', pod: 'b-pod', path: '/b', problem: 'status 200, want 404 (echo from b-pod of service b)' });
    expect(results[1].polls).toBeGreaterThan(3);
    expect(results[3].observed.error).toMatch(/ECONNREFUSED/);
    expect(results[3].observed.status).toBeUndefined();
  });
});
