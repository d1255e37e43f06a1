// The local cluster's PKI, made with the openssl CLI under the run
// directory: one CA, the API server's serving certificate, the
// ServiceAccount signing key pair, and a client certificate per identity
// (admin, controller-manager, scheduler, kube-proxy, each node, and the API
// server's client for the node agents' log endpoint).
import { mkdir, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec.ts';

export interface CertPaths {
  cert: string;
  key: string;
}

export interface ClientIdentity {
  commonName: string;
  organizations?: string[];
}

export class Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;

  constructor(dir: string) {
    this.dir = dir;
    this.caCert = path.join(dir, 'ca.crt');
    this.caKey = path.join(dir, 'ca.key');
    this.serviceAccountKey = path.join(dir, 'sa.key');
    this.serviceAccountPub = path.join(dir, 'sa.pub');
  }

  /** Makes the CA and the ServiceAccount key pair. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', this.caKey]);
    await openssl(['req', '-x509', '-new', '-key', this.caKey, '-sha256', '-days', '3650', '-subj', '/CN=vipcheck-local-ca', '-out', this.caCert,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
    await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', this.serviceAccountKey]);
    await openssl(['pkey', '-in', this.serviceAccountKey, '-pubout', '-out', this.serviceAccountPub]);
  }

  /** A certificate for a TLS server: `hosts` are IPs or DNS names, all put in the SAN. */
  serving(name: string, commonName: string, hosts: string[]): Promise<CertPaths> {
    const san = hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`)).join(',');
    return this.issue(name, `/CN=${commonName}`, ['subjectAltName=' + san, 'extendedKeyUsage=serverAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  }

  client(name: string, identity: ClientIdentity): Promise<CertPaths> {
    const subject = (identity.organizations ?? []).map((o) => `/O=${o}`).join('') + `/CN=${identity.commonName}`;
    return this.issue(name, subject, ['extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  }

  private async issue(name: string, subject: string, extensions: string[]): Promise<CertPaths> {
    const key = path.join(this.dir, `${name}.key`);
    const cert = path.join(this.dir, `${name}.crt`);
    const csr = path.join(this.dir, `${name}.csr`);
    const ext = path.join(this.dir, `${name}.ext`);
    await writeFile(ext, extensions.join('\n') + '\n');
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    await openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
    await openssl(['x509', '-req', '-in', csr, '-CA', this.caCert, '-CAkey', this.caKey, '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', ext, '-out', cert]);
    return { cert, key };
  }

  async exists(): Promise<boolean> {
    try {
      await access(this.caCert);
      return true;
    } catch {
      return false;
    }
  }
}

async function openssl(args: string[]): Promise<void> {
  await run(['openssl', ...args], { timeoutMs: 30_000 });
}

/** A kubeconfig with a client certificate (embedded as paths, so it stays readable). */
export function kubeconfigYaml(options: { server: string; caFile: string; user: string; certFile?: string; keyFile?: string; token?: string; namespace?: string }): string {
  const { server, caFile, user, certFile, keyFile, token, namespace } = options;
  const credentials = token
    ? `    token: ${token}\n`
    : `    client-certificate: ${certFile}\n    client-key: ${keyFile}\n`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: vipcheck',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${caFile}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    credentials.trimEnd(),
    'contexts:',
    '- name: vipcheck',
    '  context:',
    '    cluster: vipcheck',
    `    user: ${user}`,
    ...(namespace ? [`    namespace: ${namespace}`] : []),
    'current-context: vipcheck',
    '',
  ].join('\n');
}
