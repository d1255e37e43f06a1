// Certificates for the TLS scenarios: a throw-away CA and one leaf per host
// (its only SAN), made with the openssl CLI in a vc- temp directory that is
// removed before returning, and the kubernetes.io/tls Secrets that carry them.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { V1Secret } from '@kubernetes/client-node';
import { run } from '../../lib/exec.ts';

export interface HostCertificate {
  host: string;
  /** PEM. */
  cert: string;
  key: string;
  /** As node:tls reports a peer certificate's fingerprint ("AB:CD:…"). */
  fingerprint256: string;
}

export interface TestCertificates {
  /** The CA (PEM) clients trust. */
  ca: string;
  /** One leaf per host, in the order asked. */
  leaves: HostCertificate[];
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function issueCertificates(hosts: string[]): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vc-ingress-tls-'));
  try {
    const caKey = path.join(dir, 'ca.key');
    const caCert = path.join(dir, 'ca.crt');
    await run(['openssl', 'req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caCert, '-days', '2', '-subj', '/CN=vipcheck ingress test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const leaves: HostCertificate[] = [];
    for (const [i, host] of hosts.entries()) {
      const base = path.join(dir, `leaf-${i}`);
      await run(['openssl', 'req', '-new', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`]);
      await run(['openssl', 'x509', '-req', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey, '-set_serial', String(i + 1), '-days', '2',
        '-copy_extensions', 'copyall', '-out', `${base}.crt`]);
      const cert = await readFile(`${base}.crt`, 'utf8');
      leaves.push({ host, cert, key: await readFile(`${base}.key`, 'utf8'), fingerprint256: new X509Certificate(cert).fingerprint256 });
    }
    return { ca: await readFile(caCert, 'utf8'), leaves };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function tlsSecret(namespace: string, name: string, leaf: HostCertificate): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(leaf.cert).toString('base64'), 'tls.key': Buffer.from(leaf.key).toString('base64') },
  };
}
