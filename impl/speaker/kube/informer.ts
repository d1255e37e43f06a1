// A list+watch cache that survives: client-node's ListWatch re-lists by
// itself on 410 Gone and reconnects after watch timeouts, but stops for good
// on any other error. This wrapper restarts it with exponential backoff, so
// a restarted API server or a dropped connection only delays events.
import { KubeConfig, ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { errorMessage, type Logger } from '../log.ts';

export type ChangeType = 'add' | 'update' | 'delete';

export interface InformerOptions<T extends KubernetesObject> {
  /** For log lines: "services", "configmap metallb-system/config". */
  name: string;
  /** API path of the collection, e.g. /api/v1/services. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  onChange: (type: ChangeType, object: T) => void;
  log: Logger;
  /** Backoff after an error: starts here and doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export class ResilientInformer<T extends KubernetesObject> {
  private readonly options: InformerOptions<T>;
  private readonly listWatch: ListWatch<T>;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private listedThisAttempt = false;
  private hasSynced = false;
  private readonly syncWaiters: Array<() => void> = [];
  private lastError: string | undefined;

  constructor(kubeConfig: KubeConfig, options: InformerOptions<T>) {
    this.options = options;
    this.backoffMs = options.initialBackoffMs ?? 1000;
    const list = async () => {
      const result = await options.list();
      this.listedThisAttempt = true;
      return result;
    };
    this.listWatch = new ListWatch<T>(options.path, new Watch(kubeConfig), list, false, options.labelSelector, options.fieldSelector);
    this.listWatch.on('add', (object) => options.onChange('add', object));
    this.listWatch.on('update', (object) => options.onChange('update', object));
    this.listWatch.on('delete', (object) => options.onChange('delete', object));
    this.listWatch.on('error', (error) => this.failed(error));
  }

  /** Starts listing and watching; keeps retrying in the background until stop(). */
  start(): void {
    this.stopped = false;
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.listWatch.stop();
  }

  /** True once the first full list has been loaded into the cache. */
  get synced(): boolean {
    return this.hasSynced;
  }

  /** Why the informer is not watching right now, if it is not. */
  get problem(): string | undefined {
    return this.lastError;
  }

  waitForSync(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  list(): readonly T[] {
    return this.listWatch.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.listedThisAttempt = false;
    let failed = false;
    const onError = () => {
      failed = true;
    };
    this.listWatch.on('error', onError);
    try {
      await this.listWatch.start();
    } catch (error) {
      // start() itself can throw (e.g. credentials that cannot be read); treat it like a watch error.
      this.failed(error);
      failed = true;
    } finally {
      this.listWatch.off('error', onError);
    }
    if (failed || this.stopped) return;
    if (this.lastError !== undefined) this.options.log(`${this.options.name}: watching again`);
    this.lastError = undefined;
    this.backoffMs = this.options.initialBackoffMs ?? 1000;
    if (this.listedThisAttempt && !this.hasSynced) {
      this.hasSynced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private failed(error: unknown): void {
    if (this.stopped) return;
    const message = errorMessage(error);
    this.lastError = message;
    clearTimeout(this.restartTimer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    this.options.log(`${this.options.name}: list/watch failed (${message}); retrying in ${delay} ms`);
    this.restartTimer = setTimeout(() => void this.attempt(), delay);
  }
}
