// A pod's ServiceAccount credentials, as the kubelet projects them: a bound
// token from the TokenRequest API (bound to the Pod, one hour, renewed at
// 80 % of its life), the cluster CA and the namespace, as files in the pod's
// directory. The container runner bind-mounts that directory at the fixed
// in-cluster path, so unmodified client-go programs find it; our own
// components can use the kubeconfig written next to it.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';

export const SERVICE_ACCOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_LIFETIME_SECONDS = 3600;

export interface BoundToken {
  token: string;
  expiresAt: Date;
}

/** Calls the TokenRequest API for a token bound to the pod. */
export type TokenRequester = (namespace: string, serviceAccount: string, pod: { name: string; uid: string }, expirationSeconds: number) => Promise<BoundToken>;

export interface PodCredentials {
  /** Host directory holding token, ca.crt, namespace. */
  dir: string;
  /** Host path of a kubeconfig using that token. */
  kubeconfig: string;
}

/** When to renew a token: at 80 % of its lifetime (never sooner than 1 s from now). */
export function renewalDelayMs(issuedAt: Date, expiresAt: Date, now: Date): number {
  const lifetime = expiresAt.getTime() - issuedAt.getTime();
  return Math.max(1000, issuedAt.getTime() + lifetime * 0.8 - now.getTime());
}

/** The kubeconfig our own components read (KUBECONFIG): token and CA as files, so renewals reach them. */
export function podKubeconfig(apiServerUrl: string, namespace: string, dir: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server: apiServerUrl, 'certificate-authority': path.join(dir, 'ca.crt') } }],
    users: [{ name: 'serviceaccount', user: { 'token-file': path.join(dir, 'token') } }],
    contexts: [{ name: 'serviceaccount', context: { cluster: 'local', user: 'serviceaccount', namespace } }],
    'current-context': 'serviceaccount',
  };
}

async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, file);
}

export class ServiceAccountCredentials {
  private readonly request: TokenRequester;
  private readonly caPem: string;
  private readonly apiServerUrl: string;
  private readonly log: (line: string) => void;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Pods whose token is kept fresh; a renewal finishing after forget() schedules nothing. */
  private readonly active = new Set<string>();

  constructor(options: { request: TokenRequester; caPem: string; apiServerUrl: string; log: (line: string) => void }) {
    this.request = options.request;
    this.caPem = options.caPem;
    this.apiServerUrl = options.apiServerUrl;
    this.log = options.log;
  }

  /** Requests the first token and writes the files; renewals follow on their own. */
  async provide(pod: V1Pod, podDir: string): Promise<PodCredentials> {
    const namespace = pod.metadata!.namespace!;
    const uid = pod.metadata!.uid!;
    const dir = path.join(podDir, 'serviceaccount');
    await mkdir(dir, { recursive: true });
    await writeAtomic(path.join(dir, 'ca.crt'), this.caPem);
    await writeAtomic(path.join(dir, 'namespace'), namespace);
    const kubeconfig = path.join(podDir, 'kubeconfig');
    await writeAtomic(kubeconfig, JSON.stringify(podKubeconfig(this.apiServerUrl, namespace, dir), null, 2));
    if (!this.active.has(uid)) {
      this.active.add(uid);
      try {
        await this.renew(pod, dir);
      } catch (error) {
        this.active.delete(uid);
        throw error;
      }
    }
    return { dir, kubeconfig };
  }

  private async renew(pod: V1Pod, dir: string): Promise<void> {
    const uid = pod.metadata!.uid!;
    const account = pod.spec?.serviceAccountName || 'default';
    const issuedAt = new Date();
    const token = await this.request(pod.metadata!.namespace!, account, { name: pod.metadata!.name!, uid }, TOKEN_LIFETIME_SECONDS);
    await writeAtomic(path.join(dir, 'token'), token.token);
    const delay = renewalDelayMs(issuedAt, token.expiresAt, new Date());
    this.schedule(uid, delay, pod, dir);
  }

  private schedule(uid: string, delayMs: number, pod: V1Pod, dir: string): void {
    if (!this.active.has(uid)) return;
    const timer = setTimeout(() => {
      this.renew(pod, dir).catch((error: Error) => {
        this.log(`pod ${pod.metadata!.namespace}/${pod.metadata!.name}: token renewal failed, retrying in 10 s: ${error.message}`);
        this.schedule(uid, 10_000, pod, dir);
      });
    }, delayMs);
    timer.unref();
    this.timers.set(uid, timer);
  }

  /** Stops renewing the pod's token. */
  forget(uid: string): void {
    this.active.delete(uid);
    clearTimeout(this.timers.get(uid));
    this.timers.delete(uid);
  }
}
