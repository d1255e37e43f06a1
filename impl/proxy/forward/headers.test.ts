import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, switchingProtocolsHead, upstreamRequestHeaders, withoutHopByHop } from './headers.ts';

const pairs = (raw: string[]) => Array.from({ length: raw.length / 2 }, (_, i) => `${raw[2 * i]}: ${raw[2 * i + 1]}`);

describe('hop-by-hop removal (RFC 9110 §7.6.1)', () => {
  it('drops Connection, the headers it lists, and the fixed hop-by-hop set', () => {
    const raw = [
      'Host', 'a.example', 'Connection', 'keep-alive, X-Secret-Hop', 'connection', 'Foo', 'Keep-Alive', 'timeout=5',
      'Proxy-Connection', 'keep-alive', 'TE', 'trailers', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c',
      'X-Secret-Hop', '1', 'foo', '2', 'X-Kept', 'yes', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2',
    ];
    expect(pairs(withoutHopByHop(raw))).toEqual(['Host: a.example', 'X-Kept: yes', 'Set-Cookie: a=1', 'Set-Cookie: b=2']);
    expect(pairs(clientResponseHeaders(raw))).toEqual(['Host: a.example', 'X-Kept: yes', 'Set-Cookie: a=1', 'Set-Cookie: b=2']);
  });
});

describe('clientResponseHeaders: Server', () => {
  it('adds the proxy\'s Server only when the upstream names none, in any case', () => {
    expect(pairs(clientResponseHeaders(['Content-Length', '2'], 'vipcheck-proxy'))).toEqual(['Content-Length: 2', 'Server: vipcheck-proxy']);
    expect(pairs(clientResponseHeaders(['server', 'gunicorn', 'Content-Length', '2'], 'vipcheck-proxy'))).toEqual(['server: gunicorn', 'Content-Length: 2']);
    expect(pairs(clientResponseHeaders(['Content-Length', '2']))).toEqual(['Content-Length: 2']);
  });
});

describe('upstreamRequestHeaders', () => {
  const ctx = { clientAddress: '198.18.254.1', proto: 'https' as const, localAddress: '198.18.0.10', port: 443, host: 'shop.example' };

  it('keeps the original Host and appends the client to X-Forwarded-For', () => {
    const out = upstreamRequestHeaders(
      ['host', 'shop.example', 'X-Forwarded-For', '203.0.113.7', 'x-forwarded-for', '203.0.113.8', 'X-Forwarded-Proto', 'http', 'Accept', '*/*', 'Expect', '100-continue'],
      ctx,
    );
    expect(pairs(out)).toEqual([
      'Host: shop.example', 'Accept: */*',
      'X-Forwarded-For: 203.0.113.7, 203.0.113.8, 198.18.254.1',
      'X-Forwarded-Proto: https', 'X-Forwarded-Host: shop.example', 'X-Forwarded-Port: 443',
    ]);
  });

  it('re-frames chunked bodies and keeps the upgrade handshake for upgrades', () => {
    // The forwarder's client re-frames a body without Content-Length as chunked itself.
    const chunked = upstreamRequestHeaders(['Host', 'h', 'Transfer-Encoding', 'chunked'], ctx);
    expect(pairs(chunked).some((h) => /^transfer-encoding:/i.test(h))).toBe(false);
    const upgrade = upstreamRequestHeaders(['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], { ...ctx, upgrade: 'websocket' });
    expect(pairs(upgrade)).toEqual(expect.arrayContaining(['Connection: upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: k']));
    expect(pairs(upgrade).filter((h) => /^connection:/i.test(h))).toHaveLength(1);
  });

  it('sends the address the client reached as Host when the client sent none (HTTP/1.0)', () => {
    const out = upstreamRequestHeaders(['Accept', '*/*'], { ...ctx, host: undefined });
    expect(pairs(out)[0]).toBe('Host: 198.18.0.10:443');
    expect(pairs(out).some((h) => h.startsWith('X-Forwarded-Host'))).toBe(false);
    expect(pairs(upstreamRequestHeaders([], { ...ctx, host: undefined, localAddress: 'fd00::1' }))[0]).toBe('Host: [fd00::1]:443');
  });
});

describe('switchingProtocolsHead', () => {
  it('writes a 101 head with the upgrade headers and the rest of the upstream headers', () => {
    const head = switchingProtocolsHead(['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Accept', 'abc'], undefined);
    expect(head).toBe('HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: abc\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(switchingProtocolsHead(['Upgrade', 'websocket', 'Sec-WebSocket-Accept', 'abc'], undefined, 'vipcheck-proxy')).toContain('\r\nServer: vipcheck-proxy\r\n');
  });
});
