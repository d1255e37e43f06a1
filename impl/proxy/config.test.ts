import { describe, expect, it } from 'vitest';
import { envName, parseProxyConfig } from './config.ts';
import { parseClusterState } from './state-file.ts';
import { statusForParseFailure } from './server/client-errors.ts';
import { parseTarget } from './server/proxy-server.ts';

describe('parseProxyConfig', () => {
  it('has the documented defaults', () => {
    expect(parseProxyConfig([], {})).toMatchObject({
      httpPort: 80, httpsPort: 443, metricsPort: 10254, controllerName: 'vipcheck.dev/reference-proxy',
      publishService: undefined, publishStatusAddresses: [], balance: 'round-robin', debounceMs: 50, serverHeader: 'vipcheck-proxy',
    });
  });

  it('takes a Server header value, or "off" for none, and refuses one that could break the header', () => {
    expect(parseProxyConfig(['--server-header', 'edge/2.1 (lab)'], {}).serverHeader).toBe('edge/2.1 (lab)');
    expect(parseProxyConfig([], { VIPCHECK_SERVER_HEADER: 'off' }).serverHeader).toBeUndefined();
    expect(() => parseProxyConfig(['--server-header', 'a\r\nSet-Cookie: x=1'], {})).toThrow('flag --server-header: "a\r\nSet-Cookie: x=1" is not a Server header value');
    expect(() => parseProxyConfig(['--server-header='], {})).toThrow('is not a Server header value');
  });

  it('reads VIPCHECK_* env, KUBECONFIG and the Downward API, with flags winning', () => {
    const config = parseProxyConfig(['--http-port=8080', '--https-port', 'off'], {
      VIPCHECK_HTTP_PORT: '9090', VIPCHECK_PUBLISH_SERVICE: 'vipcheck-ingress/vipcheck-proxy', KUBECONFIG: '/k/config', POD_NAME: 'p-1', NODE_NAME: 'n',
    });
    expect(config).toMatchObject({ httpPort: 8080, httpsPort: undefined, kubeconfig: '/k/config', podName: 'p-1', nodeName: 'n' });
    expect(config.publishService).toEqual({ namespace: 'vipcheck-ingress', name: 'vipcheck-proxy' });
    expect(envName('--publish-status-address')).toBe('VIPCHECK_PUBLISH_STATUS_ADDRESS');
    expect(parseProxyConfig(['--publish-status-address', '198.18.10.1, lb.example'], {}).publishStatusAddresses).toEqual(['198.18.10.1', 'lb.example']);
  });

  it('refuses bad values naming where they came from', () => {
    expect(() => parseProxyConfig(['--http-port', 'eighty'], {})).toThrow('flag --http-port: "eighty" is not a port');
    expect(() => parseProxyConfig([], { VIPCHECK_METRICS_PORT: 'tcp://10.0.0.1:80' })).toThrow('env VIPCHECK_METRICS_PORT');
    expect(() => parseProxyConfig(['--publish-service', 'just-a-name'], {})).toThrow('is not namespace/name');
    expect(() => parseProxyConfig(['--balance', 'random'], {})).toThrow('one of round-robin, least-request');
    expect(() => parseProxyConfig(['--nope'], {})).toThrow('unknown argument "--nope"');
    expect(() => parseProxyConfig(['--publish-service=a/b', '--publish-status-address=1.2.3.4'], {})).toThrow('not both');
    expect(() => parseProxyConfig(['--client-header-timeout-ms=5000', '--client-request-timeout-ms=1000'], {})).toThrow('must not be shorter');
  });
});

describe('parseClusterState', () => {
  it('sorts objects by kind and names the bad document', () => {
    const state = parseClusterState('kind: Service\nmetadata: {name: a}\n---\nkind: List\nitems:\n- {kind: Ingress, metadata: {name: i}}\n', 'state.yaml');
    expect(state.services.map((s) => s.metadata?.name)).toEqual(['a']);
    expect(state.ingresses.map((s) => s.metadata?.name)).toEqual(['i']);
    expect(() => parseClusterState('kind: Service\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: {name: p}\n', 'f.yaml')).toThrow('f.yaml: document 2 has kind "Pod"');
    expect(() => parseClusterState('kind: Service\nmetadata: {}\n', 'f.yaml')).toThrow('f.yaml: document 1 (Service) has no metadata.name');
    expect(() => parseClusterState('kind: [unclosed\n', 'f.yaml')).toThrow('f.yaml: document 1:');
  });
});

describe('malformed request handling', () => {
  it('maps parser failures to statuses', () => {
    expect(statusForParseFailure({ code: 'HPE_INVALID_METHOD' }, 100)).toBe(400);
    expect(statusForParseFailure({ code: 'HPE_INVALID_VERSION' }, 100)).toBe(505);
    expect(statusForParseFailure({ code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from('GET /aaaaaaaaaa') }, 100)).toBe(414);
    expect(statusForParseFailure({ code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from(`GET / HTTP/1.1\r\nX: ${'y'.repeat(200)}`) }, 100)).toBe(431);
    expect(statusForParseFailure({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }, 100)).toBe(408);
    expect(statusForParseFailure({ code: 'ECONNRESET' }, 100)).toBeUndefined();
  });

  it('reads origin-form, absolute-form and asterisk-form targets', () => {
    expect(parseTarget('/a?b', 'h')).toEqual({ host: 'h', path: '/a?b' });
    expect(parseTarget('http://Other.example:8080/p?q', 'h')).toEqual({ host: 'other.example:8080', path: '/p?q' });
    expect(parseTarget('*', 'h')).toEqual({ host: 'h', path: '*' });
    expect(parseTarget('relative/path', 'h')).toBeUndefined();
  });
});
