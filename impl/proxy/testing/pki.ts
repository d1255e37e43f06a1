// A throw-away certificate authority for tests, made with the openssl CLI in
// a vc- temp directory: a CA plus leaf certificates with chosen DNS names.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../../lib/exec.ts';

export interface Issued {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestPki {
  readonly dir: string;
  /** The CA certificate (PEM), to verify leaves against. */
  readonly caCert: string;
  /** Issues a leaf certificate whose CN is the first name and whose SANs are all names. */
  issue(names: string[]): Promise<Issued>;
  /** Removes the temp directory. */
  dispose(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function makeTestPki(label = 'pki'): Promise<TestPki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `vc-${label}-`));
  const caKey = path.join(dir, 'ca.key');
  const caCrt = path.join(dir, 'ca.crt');
  await run(['openssl', 'req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caCrt, '-days', '2',
    '-subj', '/CN=vc-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const caCert = await readFile(caCrt, 'utf8');
  let serial = 1;
  return {
    dir,
    caCert,
    async issue(names) {
      if (names.length === 0) throw new Error('makeTestPki.issue needs at least one DNS name');
      const base = path.join(dir, `leaf-${serial}`);
      const san = names.map((n) => `DNS:${n}`).join(',');
      await run(['openssl', 'req', '-new', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`,
        '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`]);
      await run(['openssl', 'x509', '-req', '-in', `${base}.csr`, '-CA', caCrt, '-CAkey', caKey, '-set_serial', String(serial++),
        '-days', '2', '-copy_extensions', 'copyall', '-out', `${base}.crt`]);
      return { cert: await readFile(`${base}.crt`, 'utf8'), key: await readFile(`${base}.key`, 'utf8'), certFile: `${base}.crt`, keyFile: `${base}.key` };
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
