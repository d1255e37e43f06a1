// The MetalLB ConfigMap as a stream of validated configs. A config that fails
// to parse, or that the role refuses to apply, leaves the last good one in
// force: it is logged, recorded as an InvalidConfig Event on the ConfigMap
// and flagged by the config_stale metric, the way MetalLB does it.
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { Config } from '../config/types.ts';
import { parseConfig } from '../config/parse.ts';
import { errorMessage, type Logger } from '../log.ts';
import type { MetricsRegistry } from '../metrics/metrics.ts';
import { targetOf, type EventRecorder } from './events.ts';
import { ResilientInformer } from './informer.ts';

export const CONFIG_KEY = 'config';

export interface ConfigSourceOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Puts a parsed config into force; throws (e.g. PoolConflictError) to refuse it. */
  apply: (config: Config) => void;
  log: Logger;
  events: EventRecorder;
  metrics: MetricsRegistry;
}

/** Parsing and applying, separate from the watch so that it can be unit-tested. */
export class ConfigLoader {
  private readonly apply: (config: Config) => void;
  private readonly log: Logger;
  private readonly onRefused: (configMap: V1ConfigMap, message: string) => void;
  private readonly staleGauge;
  private readonly loadedGauge;
  private lastGood: Config | undefined;
  private latest: V1ConfigMap | undefined;
  private appliedText: string | undefined;
  private lastError: string | undefined;

  constructor(apply: (config: Config) => void, log: Logger, metrics: MetricsRegistry, onRefused: (configMap: V1ConfigMap, message: string) => void) {
    this.apply = apply;
    this.log = log;
    this.onRefused = onRefused;
    this.staleGauge = metrics.gauge('vipcheck_speaker_config_stale', '1 when the latest ConfigMap was refused and an older config is in force');
    this.loadedGauge = metrics.gauge('vipcheck_speaker_config_loaded_timestamp_seconds', 'Unix time the config in force was loaded (0: none yet)');
    this.staleGauge.set(0);
    this.loadedGauge.set(0);
  }

  /** The config in force (the last good one), if any was ever loaded. */
  get current(): Config | undefined {
    return this.lastGood;
  }

  get stale(): boolean {
    return this.lastError !== undefined;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  /** A new or changed ConfigMap. */
  update(configMap: V1ConfigMap): void {
    this.latest = configMap;
    this.process();
  }

  deleted(configMap: V1ConfigMap): void {
    this.latest = undefined;
    const message = `ConfigMap ${configMap.metadata?.namespace}/${configMap.metadata?.name} was deleted`;
    if (this.lastGood) this.refuse(undefined, `${message}; keeping the last good config`);
    else this.log(`${message}; no config in force`);
  }

  /** Tries a refused ConfigMap again (e.g. after the Service that blocked it released its address). */
  retry(): void {
    if (this.stale && this.latest) this.process();
  }

  private process(): void {
    const configMap = this.latest!;
    const text = configMap.data?.[CONFIG_KEY];
    if (text === undefined) {
      this.refuse(configMap, `ConfigMap ${configMap.metadata?.namespace}/${configMap.metadata?.name} has no key "${CONFIG_KEY}"`);
      return;
    }
    if (text === this.appliedText && !this.stale) return;
    let config: Config;
    try {
      config = parseConfig(text);
      this.apply(config);
    } catch (error) {
      this.refuse(configMap, errorMessage(error));
      return;
    }
    this.lastGood = config;
    this.appliedText = text;
    const wasStale = this.stale;
    this.lastError = undefined;
    this.staleGauge.set(0);
    this.loadedGauge.set(Date.now() / 1000);
    this.log(`config loaded${wasStale ? ' (no longer stale)' : ''}: ${config.peers.length} peer(s), ${config.pools.length} pool(s) [${config.pools.map((p) => p.name).join(', ')}]`);
  }

  private refuse(configMap: V1ConfigMap | undefined, message: string): void {
    this.staleGauge.set(1);
    if (message === this.lastError) return;
    this.lastError = message;
    this.log(`config (re)load failed, config marked stale: ${message}`);
    if (configMap) this.onRefused(configMap, message);
  }
}

/** Watches the ConfigMap and feeds a ConfigLoader. */
export class ConfigSource {
  readonly loader: ConfigLoader;
  private readonly informer: ResilientInformer<V1ConfigMap>;

  constructor(options: ConfigSourceOptions) {
    const api = options.kubeConfig.makeApiClient(CoreV1Api);
    const fieldSelector = `metadata.name=${options.name}`;
    this.loader = new ConfigLoader(options.apply, options.log, options.metrics, (configMap, message) => {
      options.events.record(targetOf('ConfigMap', 'v1', configMap), 'Warning', 'InvalidConfig', message);
    });
    this.informer = new ResilientInformer<V1ConfigMap>(options.kubeConfig, {
      name: `configmap ${options.namespace}/${options.name}`,
      path: `/api/v1/namespaces/${options.namespace}/configmaps`,
      fieldSelector,
      list: () => api.listNamespacedConfigMap({ namespace: options.namespace, fieldSelector }),
      log: options.log,
      onChange: (type, configMap) => (type === 'delete' ? this.loader.deleted(configMap) : this.loader.update(configMap)),
    });
  }

  start(): void {
    this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  waitForSync(): Promise<void> {
    return this.informer.waitForSync();
  }

  get watchProblem(): string | undefined {
    return this.informer.problem;
  }
}
