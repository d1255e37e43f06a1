import type { V1Ingress, V1Secret } from '@kubernetes/client-node';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { buildCertificateStore, CertificateStore } from './certificates.ts';
import { selfSignedCertificate } from './self-signed.ts';

describe('CertificateStore.select', () => {
  const store = new CertificateStore('default-cert');
  store.bind('foo.example', 'foo-cert', 'ns/foo');
  store.bind('*.wild.example', 'wild-cert', 'ns/wild');
  store.bind('exact.wild.example', 'exact-over-wild', 'ns/exact');

  it('prefers an exact name, then a one-label wildcard, then the default', () => {
    expect(store.select('foo.example')).toEqual({ context: 'foo-cert', match: 'exact', secret: 'ns/foo' });
    expect(store.select('FOO.example.').context).toBe('foo-cert');
    expect(store.select('a.wild.example')).toMatchObject({ context: 'wild-cert', match: 'wildcard' });
    expect(store.select('exact.wild.example').context).toBe('exact-over-wild');
    expect(store.select('a.b.wild.example')).toEqual({ context: 'default-cert', match: 'default' });
    expect(store.select('wild.example').match).toBe('default');
    expect(store.select(undefined).match).toBe('default');
  });

  it('keeps the first binding of a host', () => {
    expect(store.bind('foo.example', 'other', 'ns/other')).toBe(false);
    expect(store.select('foo.example').context).toBe('foo-cert');
  });
});

function tlsSecret(namespace: string, name: string, pem: { cert: string; key: string }, type = 'kubernetes.io/tls'): V1Secret {
  return {
    metadata: { namespace, name },
    type,
    data: { 'tls.crt': Buffer.from(pem.cert).toString('base64'), 'tls.key': Buffer.from(pem.key).toString('base64') },
  };
}

function tlsIngress(name: string, created: string, tls: { hosts?: string[]; secretName?: string }[], ruleHosts: string[] = []): V1Ingress {
  return {
    metadata: { name, namespace: 'web', creationTimestamp: new Date(created) },
    spec: { tls, rules: ruleHosts.map((host) => ({ host })) },
  };
}

describe('buildCertificateStore', () => {
  const a = selfSignedCertificate({ commonName: 'a.example' });
  const b = selfSignedCertificate({ commonName: 'b.example' });
  const context = (pem: { cert: string; key: string }) => {
    createSecureContext(pem); // throws on a key that does not fit the certificate
    return new X509Certificate(pem.cert).subject;
  };

  it('binds each tls host to its Secret and leaves bad Secrets to the default with an issue', () => {
    const { store, issues } = buildCertificateStore(
      [
        tlsIngress('good', '2026-01-01T00:00:00Z', [{ hosts: ['a.example'], secretName: 'a' }, { hosts: ['b.example'], secretName: 'b' }]),
        tlsIngress('missing', '2026-01-02T00:00:00Z', [{ hosts: ['m.example'], secretName: 'nope' }]),
        tlsIngress('opaque', '2026-01-03T00:00:00Z', [{ hosts: ['o.example'], secretName: 'opaque' }]),
        tlsIngress('mismatch', '2026-01-04T00:00:00Z', [{ hosts: ['x.example'], secretName: 'mixed' }]),
        tlsIngress('garbage', '2026-01-05T00:00:00Z', [{ hosts: ['g.example'], secretName: 'garbage' }]),
        tlsIngress('from-rules', '2026-01-06T00:00:00Z', [{ secretName: 'b' }], ['r.example']),
      ],
      [
        tlsSecret('web', 'a', a),
        tlsSecret('web', 'b', b),
        tlsSecret('web', 'opaque', a, 'Opaque'),
        tlsSecret('web', 'mixed', { cert: a.cert, key: b.key }),
        tlsSecret('web', 'garbage', { cert: 'not a certificate', key: a.key }),
        tlsSecret('other-namespace', 'nope', a),
      ],
      context,
      'DEFAULT',
    );
    expect(store.select('a.example').context).toBe('CN=a.example');
    expect(store.select('b.example').context).toBe('CN=b.example');
    expect(store.select('r.example').context).toBe('CN=b.example');
    for (const host of ['m.example', 'o.example', 'x.example', 'g.example']) expect(store.select(host).context).toBe('DEFAULT');
    expect(issues.map((i) => [i.ingress.name, i.reason, i.message])).toEqual([
      ['missing', 'InvalidTLSSecret', expect.stringContaining('Secret web/nope does not exist')],
      ['opaque', 'InvalidTLSSecret', expect.stringContaining('has type "Opaque", not kubernetes.io/tls')],
      ['mismatch', 'InvalidTLSSecret', expect.stringMatching(/^spec\.tls\[0\]: .*key values mismatch/)],
      ['garbage', 'InvalidTLSSecret', expect.stringContaining('data["tls.crt"] is not a PEM certificate')],
    ]);
  });

  it('gives a host claimed twice to the older Ingress and reports the other', () => {
    const { store, issues } = buildCertificateStore(
      [
        tlsIngress('newer', '2026-02-01T00:00:00Z', [{ hosts: ['a.example'], secretName: 'b' }]),
        tlsIngress('older', '2026-01-01T00:00:00Z', [{ hosts: ['a.example'], secretName: 'a' }]),
      ],
      [tlsSecret('web', 'a', a), tlsSecret('web', 'b', b)],
      context,
      'DEFAULT',
    );
    expect(store.select('a.example').context).toBe('CN=a.example');
    expect(issues).toEqual([{ ingress: { namespace: 'web', name: 'newer' }, reason: 'TLSHostConflict', message: expect.stringContaining('web/a') }]);
  });
});

describe('selfSignedCertificate', () => {
  it('makes a valid, self-verifying certificate for the given names', () => {
    const pem = selfSignedCertificate({ commonName: 'vipcheck-default', dnsNames: ['x.example', 'y.example'], validDays: 10 });
    const cert = new X509Certificate(pem.cert);
    expect(cert.subject).toBe('CN=vipcheck-default');
    expect(cert.issuer).toBe('CN=vipcheck-default');
    expect(cert.subjectAltName).toBe('DNS:x.example, DNS:y.example');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(pem.key))).toBe(true);
    expect(cert.checkHost('y.example')).toBe('y.example');
    const days = (new Date(cert.validTo).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(9);
    expect(days).toBeLessThan(11);
    expect(() => createSecureContext(pem)).not.toThrow();
  });
});
