// Applies the status plan (status.ts) to the API server: one merge patch at a
// time on the status subresource, never twice the same value for the same
// resourceVersion, failed writes retried on the next reconciliation (and at
// the latest after 5 s).
import { NetworkingV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Ingress, type V1Service } from '@kubernetes/client-node';
import type { ProxyConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { describeError, type ApiCall } from './cluster-watch.ts';
import { desiredStatus, keyOf, planStatusPatches, sameAddresses, type StatusAddress } from './status.ts';

const RETRY_MS = 5_000;

/** patchNamespacedIngressStatus below. */
export const STATUS_CALLS: readonly ApiCall[] = [{ group: 'networking.k8s.io', resource: 'ingresses/status', verb: 'patch' }];

interface Input {
  all: readonly V1Ingress[];
  served: readonly V1Ingress[];
  desired: StatusAddress[];
}

export class StatusWriter {
  readonly #api: NetworkingV1Api;
  readonly #config: Pick<ProxyConfig, 'publishService' | 'publishStatusAddresses'>;
  readonly #log: Logger;
  readonly #previouslyServed = new Set<string>();
  readonly #written = new Map<string, { resourceVersion: string | undefined; addresses: StatusAddress[] }>();
  #latest: Input | undefined;
  #running = false;
  #again = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(kubeconfig: KubeConfig, config: Pick<ProxyConfig, 'publishService' | 'publishStatusAddresses'>, log: Logger) {
    this.#api = kubeconfig.makeApiClient(NetworkingV1Api);
    this.#config = config;
    this.#log = log;
  }

  /** Brings status in line with the current state (no-op when no publish flag is set). */
  reconcile(all: readonly V1Ingress[], served: readonly V1Ingress[], services: readonly V1Service[]): void {
    const desired = desiredStatus(this.#config, services);
    if (desired === undefined || this.#stopped) return;
    this.#latest = { all, served, desired };
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
  }

  async #run(): Promise<void> {
    this.#running = true;
    let failed = false;
    do {
      this.#again = false;
      const input = this.#latest!;
      const byKey = new Map(input.all.map((i) => [keyOf(i), i]));
      for (const ingress of input.served) this.#previouslyServed.add(keyOf(ingress));
      for (const patch of planStatusPatches(input.all, input.served, input.desired, this.#previouslyServed)) {
        if (this.#stopped) break;
        const key = `${patch.namespace}/${patch.name}`;
        const resourceVersion = byKey.get(key)?.metadata?.resourceVersion;
        const last = this.#written.get(key);
        if (last && last.resourceVersion === resourceVersion && sameAddresses(last.addresses, patch.addresses)) continue;
        try {
          await this.#api.patchNamespacedIngressStatus(
            { name: patch.name, namespace: patch.namespace, body: { status: { loadBalancer: { ingress: patch.addresses } } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
          this.#written.set(key, { resourceVersion, addresses: patch.addresses });
          if (patch.addresses.length === 0) this.#previouslyServed.delete(key);
          this.#log.info('ingress status written', { ingress: key, addresses: patch.addresses });
        } catch (error) {
          failed = true;
          this.#log.warn('ingress status write failed', { ingress: key, error: describeError(error), body: (error as { body?: unknown }).body });
        }
      }
      // Forget Ingresses that no longer exist.
      for (const key of this.#previouslyServed) if (!byKey.has(key)) this.#previouslyServed.delete(key);
      for (const key of this.#written.keys()) if (!byKey.has(key)) this.#written.delete(key);
    } while (this.#again && !this.#stopped);
    this.#running = false;
    if (failed && !this.#stopped && !this.#retryTimer) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        const input = this.#latest;
        if (input && !this.#running) void this.#run();
      }, RETRY_MS);
    }
  }
}
