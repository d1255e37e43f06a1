import { describe, expect, it } from 'vitest';
import { parseEchoConfig } from './config.ts';
import { headerLists, plainAddress } from './body.ts';

describe('parseEchoConfig', () => {
  it('defaults to port 8080, ready, identity null', () => {
    const config = parseEchoConfig([], {});
    expect(config).toMatchObject({ port: 8080, tlsPort: undefined, startUnready: false, maxBodyBytes: 1 << 20, serverHeader: undefined });
    expect(config.identity).toEqual({ namespace: null, pod: null, node: null, podIP: null, service: null, ingress: null });
  });

  it('reads env, and flags win over env', () => {
    const config = parseEchoConfig(['--port=9000', '--start-unready'], { PORT: '7000', POD_NAME: 'p', INGRESS_NAME: 'ing' });
    expect(config.port).toBe(9000);
    expect(config.startUnready).toBe(true);
    expect(config.identity.pod).toBe('p');
    expect(config.identity.ingress).toBe('ing');
    expect(parseEchoConfig([], { PORT: '7000' }).port).toBe(7000);
    expect(parseEchoConfig(['--server-header', 'echo/1'], { SERVER_HEADER: 'env-echo' }).serverHeader).toBe('echo/1');
  });

  it('names the bad flag or variable', () => {
    expect(() => parseEchoConfig(['--port', 'http'], {})).toThrow('flag --port: "http" is not a port');
    expect(() => parseEchoConfig([], { PORT: '70000' })).toThrow('env PORT: "70000" is not a port');
    expect(() => parseEchoConfig(['--colour'], {})).toThrow('unknown argument "--colour"');
    expect(() => parseEchoConfig(['--tls-port'], {})).toThrow('flag --tls-port needs a value');
    expect(() => parseEchoConfig(['--tls-port', '8443'], {})).toThrow('HTTPS needs all of');
    expect(() => parseEchoConfig([], { START_UNREADY: 'yes' })).toThrow('env START_UNREADY: "yes" is not a boolean');
  });
});

describe('echo body helpers', () => {
  it('keeps repeated headers as separate values under lower-case names', () => {
    expect(headerLists(['Host', 'a', 'X-A', '1', 'x-a', '2'])).toEqual({ host: ['a'], 'x-a': ['1', '2'] });
  });

  it('unwraps IPv4-mapped IPv6 addresses', () => {
    expect(plainAddress('::ffff:198.18.0.1')).toBe('198.18.0.1');
    expect(plainAddress('::1')).toBe('::1');
    expect(plainAddress(undefined)).toBeNull();
  });
});
