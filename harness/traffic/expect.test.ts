import { describe, expect, it } from 'vitest';
import { problemWith } from './expect.ts';
import type { HttpResponse } from './client.ts';

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
