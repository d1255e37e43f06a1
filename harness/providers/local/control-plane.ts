// The real control plane of the local provider: etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler, all in the control-plane
// namespace (vc-cp), built from the upstream modules by
// scripts/build-control-plane.sh.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ManagedProcess } from '../../../lib/processes.ts';
import { waitFor, type WaitResult } from '../../../lib/wait.ts';
import { Pki, kubeconfigYaml, type CertPaths } from '../../../lib/pki.ts';
import type { TopologyPlan } from './topology.ts';
import { cacheDir, controlPlaneBinDir, readVersions, type Versions } from '../../../lib/control-plane-binaries.ts';
import { httpsGet, type HttpsAnswer } from '../../../lib/https-get.ts';

export const APISERVER_PORT = 6443;

export interface ControlPlaneFiles {
  pki: Pki;
  /** Admin kubeconfig for users, kubectl and the suites (reachable from the root namespace). */
  adminKubeconfig: string;
  /** kubeconfig for kube-proxy on every node. */
  kubeProxyKubeconfig: string;
  apiServerUrl: string;
}

/** Where the control plane of a plan serves the Kubernetes API. */
export function apiServerUrlOf(plan: TopologyPlan): string {
  return `https://${plan.controlPlane.address}:${APISERVER_PORT}`;
}

/** Identities and kubeconfigs for everything that talks to the API server. */
export async function writeControlPlaneFiles(runDir: string, plan: TopologyPlan): Promise<ControlPlaneFiles> {
  const pki = new Pki(path.join(runDir, 'pki'));
  await pki.init();
  const apiServerUrl = apiServerUrlOf(plan);
  await pki.serving('apiserver', 'kube-apiserver', [
    plan.controlPlane.address, plan.kubernetesServiceIp, '127.0.0.1',
    'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost',
  ]);
  await pki.client('apiserver-kubelet-client', { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'] });
  const kubeconfigs = path.join(runDir, 'kubeconfigs');
  await mkdir(kubeconfigs, { recursive: true });
  const write = async (name: string, user: string, cert: CertPaths) => {
    const file = path.join(kubeconfigs, `${name}.kubeconfig`);
    await writeFile(file, kubeconfigYaml({ server: apiServerUrl, caFile: pki.caCert, user, certFile: cert.cert, keyFile: cert.key }), { mode: 0o600 });
    return file;
  };
  const adminKubeconfig = await write('admin', 'vipcheck-admin', await pki.client('admin', { commonName: 'vipcheck-admin', organizations: ['system:masters'] }));
  await write('controller-manager', 'system:kube-controller-manager', await pki.client('controller-manager', { commonName: 'system:kube-controller-manager' }));
  await write('scheduler', 'system:kube-scheduler', await pki.client('scheduler', { commonName: 'system:kube-scheduler' }));
  const kubeProxyKubeconfig = await write('kube-proxy', 'system:kube-proxy', await pki.client('kube-proxy', { commonName: 'system:kube-proxy' }));
  return { pki, adminKubeconfig, kubeProxyKubeconfig, apiServerUrl };
}

/** A node's identity: its client kubeconfig (system:node:NAME) and its serving certificate. */
export async function writeNodeFiles(runDir: string, files: ControlPlaneFiles, nodeName: string, address: string) {
  const client = await files.pki.client(`node-${nodeName}`, { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'] });
  const serving = await files.pki.serving(`node-${nodeName}-serving`, nodeName, [address, nodeName]);
  const kubeconfig = path.join(runDir, 'kubeconfigs', `${nodeName}.kubeconfig`);
  await writeFile(kubeconfig, kubeconfigYaml({ server: files.apiServerUrl, caFile: files.pki.caCert, user: `system:node:${nodeName}`, certFile: client.cert, keyFile: client.key }), { mode: 0o600 });
  return { kubeconfig, serving };
}

export class ControlPlane {
  readonly processes: ManagedProcess[] = [];
  private readonly runDir: string;
  private readonly plan: TopologyPlan;
  readonly files: ControlPlaneFiles;

  constructor(runDir: string, plan: TopologyPlan, files: ControlPlaneFiles) {
    this.runDir = runDir;
    this.plan = plan;
    this.files = files;
  }

  /** Starts etcd, then the API server, then the controller-manager and the scheduler; resolves when /readyz answers ok. */
  async start(options: { timeoutMs?: number; onUnexpectedExit?: (name: string, code: number | null) => void } = {}): Promise<WaitResult<unknown>> {
    const bin = await controlPlaneBinDir();
    const logs = path.join(this.runDir, 'logs');
    await mkdir(logs, { recursive: true });
    const netns = this.plan.controlPlane.netns;
    const pki = this.files.pki;
    const kubeconfigs = path.join(this.runDir, 'kubeconfigs');
    const launch = (name: string, argv: string[]) => {
      const proc = new ManagedProcess({ name, argv, netns, logFile: path.join(logs, `${name}.log`) });
      proc.onUnexpectedExit = (status) => options.onUnexpectedExit?.(name, status.code);
      this.processes.push(proc.start());
      return proc;
    };

    launch('etcd', [path.join(bin, 'vc-etcd'),
      '--name=vc-etcd', `--data-dir=${path.join(this.runDir, 'etcd')}`,
      '--listen-client-urls=http://127.0.0.1:2379', '--advertise-client-urls=http://127.0.0.1:2379',
      '--listen-peer-urls=http://127.0.0.1:2380', '--initial-advertise-peer-urls=http://127.0.0.1:2380',
      '--initial-cluster=vc-etcd=http://127.0.0.1:2380',
      '--unsafe-no-fsync=true', // a throwaway test cluster: durability is not worth the latency
      '--log-level=warn',
    ]);

    launch('kube-apiserver', [path.join(bin, 'vc-kube-apiserver'),
      '--etcd-servers=http://127.0.0.1:2379',
      '--bind-address=0.0.0.0', `--secure-port=${APISERVER_PORT}`, `--advertise-address=${this.plan.controlPlane.address}`,
      `--tls-cert-file=${path.join(pki.dir, 'apiserver.crt')}`, `--tls-private-key-file=${path.join(pki.dir, 'apiserver.key')}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-cluster-ip-range=${this.plan.serviceCidr}`,
      '--service-node-port-range=30000-32767',
      '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`, `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--kubelet-client-certificate=${path.join(pki.dir, 'apiserver-kubelet-client.crt')}`,
      `--kubelet-client-key=${path.join(pki.dir, 'apiserver-kubelet-client.key')}`,
      `--kubelet-certificate-authority=${pki.caCert}`, '--kubelet-preferred-address-types=InternalIP',
      '--allow-privileged=true', '--profiling=false', '--event-ttl=1h',
      '--v=1',
    ]);

    const ready = await waitFor('kube-apiserver /readyz to answer ok', async () => {
      const { status, body } = await this.get('/readyz');
      return { ok: status === 200, observed: `${status} ${body.slice(0, 300)}` };
    }, { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 200 });

    const common = (name: string) => [
      `--kubeconfig=${path.join(kubeconfigs, `${name}.kubeconfig`)}`,
      `--authentication-kubeconfig=${path.join(kubeconfigs, `${name}.kubeconfig`)}`,
      `--authorization-kubeconfig=${path.join(kubeconfigs, `${name}.kubeconfig`)}`,
      '--leader-elect=false', '--bind-address=127.0.0.1', '--profiling=false', '--v=1',
    ];
    launch('kube-controller-manager', [path.join(bin, 'vc-kube-controller-manager'), ...common('controller-manager'),
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`, `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`, `--cluster-signing-key-file=${pki.caKey}`,
      `--service-cluster-ip-range=${this.plan.serviceCidr}`, `--cluster-cidr=${this.plan.clusterCidr}`,
      '--allocate-node-cidrs=false', // the node agents register their podCIDR themselves
      // A node cut off from the fabric goes NotReady in seconds, not minutes, so node-loss scenarios stay short.
      '--node-monitor-period=2s', '--node-monitor-grace-period=16s',
    ]);
    launch('kube-scheduler', [path.join(bin, 'vc-kube-scheduler'), ...common('scheduler')]);
    return ready;
  }

  /** GET on the API server as admin, from the root namespace (through the TOR). */
  get(pathname: string): Promise<{ status: number; body: string }> {
    return apiGet(this.files, pathname);
  }

  async stop(): Promise<void> {
    for (const proc of [...this.processes].reverse()) await proc.stop(5000);
  }
}

export async function apiGet(files: ControlPlaneFiles, pathname: string): Promise<HttpsAnswer> {
  const [ca, cert, key] = await Promise.all([
    readFile(files.pki.caCert), readFile(path.join(files.pki.dir, 'admin.crt')), readFile(path.join(files.pki.dir, 'admin.key')),
  ]);
  return httpsGet(`${files.apiServerUrl}${pathname}`, { ca, cert, key });
}
