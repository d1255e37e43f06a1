// A real etcd + kube-apiserver on loopback for integration tests of the
// speaker's roles (no nodes, no controller-manager). Built by
// scripts/build-control-plane.sh; every port is picked free at start.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { controlPlaneBinDir } from '../control-plane-binaries.ts';
import { Pki, kubeconfigYaml } from '../pki.ts';
import { ManagedProcess } from '../processes.ts';
import { waitFor } from '../wait.ts';
import { httpsGet, type HttpsAnswer } from '../https-get.ts';

export class TestApiServer {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  readonly url: string;
  private readonly processes: ManagedProcess[];

  private constructor(dir: string, kubeconfigPath: string, url: string, processes: ManagedProcess[]) {
    this.dir = dir;
    this.kubeconfigPath = kubeconfigPath;
    this.url = url;
    this.processes = processes;
    this.kubeConfig = new KubeConfig();
    this.kubeConfig.loadFromFile(kubeconfigPath);
  }

  /**
   * Starts etcd and the API server under `dir` (logs in dir/logs); resolves
   * when /readyz is ok. `host` is the address the API server listens on
   * (loopback by default; the local topology's client address lets node
   * namespaces reach it through the TOR).
   */
  static async start(dir: string, options: { host?: string; timeoutMs?: number } = {}): Promise<TestApiServer> {
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.timeoutMs ?? 90_000;
    const bin = await controlPlaneBinDir();
    const logs = path.join(dir, 'logs');
    await mkdir(logs, { recursive: true });
    const pki = new Pki(path.join(dir, 'pki'));
    await pki.init();
    const serving = await pki.serving('apiserver', 'kube-apiserver', [...new Set([host, '127.0.0.1', 'localhost'])]);
    const admin = await pki.client('admin', { commonName: 'vipcheck-admin', organizations: ['system:masters'] });
    const [etcdClient, etcdPeer] = await freePorts(2, '127.0.0.1');
    const [apiPort] = await freePorts(1, host);
    const url = `https://${host}:${apiPort}`;
    const kubeconfigPath = path.join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigYaml({ server: url, caFile: pki.caCert, user: 'vipcheck-admin', certFile: admin.cert, keyFile: admin.key }), { mode: 0o600 });

    const processes: ManagedProcess[] = [];
    const launch = (name: string, argv: string[]) => processes.push(new ManagedProcess({ name, argv, logFile: path.join(logs, `${name}.log`) }).start());
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    launch('etcd', [path.join(bin, 'vc-etcd'),
      '--name=vc-etcd-test', `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=vc-etcd-test=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync=true', '--log-level=warn',
    ]);
    launch('kube-apiserver', [path.join(bin, 'vc-kube-apiserver'),
      `--etcd-servers=${etcdUrl}`,
      `--bind-address=${host}`, `--secure-port=${apiPort}`, `--advertise-address=${host}`,
      // No kubernetes Service endpoints: they may not point at loopback, and nothing here needs them.
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${serving.cert}`, `--tls-private-key-file=${serving.key}`, `--client-ca-file=${pki.caCert}`,
      // Addresses are only allocated, never routed: a TEST-NET range keeps them clearly fake.
      '--service-cluster-ip-range=192.0.2.0/24',
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`, `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--profiling=false', '--event-ttl=1h', '--v=1',
    ]);
    const server = new TestApiServer(dir, kubeconfigPath, url, processes);
    try {
      await server.waitReady(timeoutMs);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** Stops the API server (etcd keeps the data) and starts it again on the same address; resolves when /readyz is ok. */
  async restartApiServer(downMs = 0, timeoutMs = 90_000): Promise<void> {
    const index = this.processes.findIndex((p) => p.spec.name === 'kube-apiserver');
    const old = this.processes[index];
    await old.stop(5000);
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    this.processes[index] = new ManagedProcess({ ...old.spec, name: 'kube-apiserver' }).start();
    await this.waitReady(timeoutMs);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const abort = new AbortController();
    await waitFor(`kube-apiserver ${this.url}/readyz to answer ok`, async () => {
      const dead = this.processes.find((p) => !p.running);
      if (dead) {
        // No point waiting for a process that is gone: give up now with its last words.
        const tail = (await readFile(dead.spec.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('\n');
        abort.abort(new Error(`${dead.spec.name} exited (log ${dead.spec.logFile}):\n${tail}`));
        return { ok: false };
      }
      const { status, body } = await this.get('/readyz');
      return { ok: status === 200, observed: `${status} ${body.slice(0, 300)}` };
    }, { timeoutMs, intervalMs: 300, signal: abort.signal });
  }

  /** Creates every object of a YAML manifest file (documents in order) as admin. */
  async applyFile(file: string): Promise<void> {
    const client = KubernetesObjectApi.makeApiClient(this.kubeConfig);
    for (const document of parseAllDocuments(await readFile(file, 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
      const object = document.toJS() as KubernetesObject | null;
      if (object) await client.create(object);
    }
  }

  /** A kubeconfig that authenticates as a ServiceAccount (a bound token), so tests exercise the manifests' RBAC. */
  async serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
    const core = this.kubeConfig.makeApiClient(CoreV1Api);
    const request = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const token = request.status?.token;
    if (!token) throw new Error(`no token issued for ServiceAccount ${namespace}/${name}`);
    const file = path.join(this.dir, `sa-${namespace}-${name}.kubeconfig`);
    await writeFile(file, kubeconfigYaml({ server: this.url, caFile: path.join(this.dir, 'pki', 'ca.crt'), user: `${namespace}-${name}`, token }), { mode: 0o600 });
    return file;
  }

  /** GET as admin; for readiness and raw checks. */
  async get(pathname: string): Promise<HttpsAnswer> {
    const options: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    return httpsGet(`${this.url}${pathname}`, options);
  }

  async stop(): Promise<void> {
    for (const process of [...this.processes].reverse()) await process.stop(5000);
  }
}

async function freePorts(count: number, host: string): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
