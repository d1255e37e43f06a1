// The controller role: one per cluster. Gives each LoadBalancer Service an
// address from the configured pools, writes it to the Service's status and
// records IPAllocated / AllocationFailed Events. Decisions come from the pure
// convergeService; this class owns the watches, the work queue and the writes.
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { Allocator } from '../allocator/allocator.ts';
import { convergeService, type Decision } from '../allocator/converge.ts';
import { serviceKey, statusAddresses, hasStatusIngress } from '../allocator/service.ts';
import type { Config } from '../config/types.ts';
import { ConfigSource } from '../kube/config-source.ts';
import { EventRecorder, targetOf } from '../kube/events.ts';
import { ResilientInformer } from '../kube/informer.ts';
import { errorMessage, type Logger } from '../log.ts';
import type { MetricsRegistry } from '../metrics/metrics.ts';

export const CONTROLLER_COMPONENT = 'vipcheck-lb-controller';

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  configNamespace: string;
  configName: string;
  /** Names this instance in Events (pod name or host name). */
  instance: string;
  log: Logger;
  metrics: MetricsRegistry;
}

const RETRY_INITIAL_MS = 500;
const RETRY_MAX_MS = 30_000;

export class Controller {
  private readonly options: ControllerOptions;
  private readonly log: Logger;
  private readonly core: CoreV1Api;
  private readonly allocator = new Allocator();
  private readonly events: EventRecorder;
  private readonly configSource: ConfigSource;
  private readonly services: ResilientInformer<V1Service>;
  /** Set once the Services carrying addresses from before our start have been adopted. */
  private adopted = false;
  private config: Config | undefined;
  private readonly queue = new Set<string>();
  private draining = false;
  private readonly pending = new Set<string>();
  private readonly lastEvent = new Map<string, string>();
  private readonly retryDelay = new Map<string, number>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private readonly allocations;

  constructor(options: ControllerOptions) {
    this.options = options;
    this.log = options.log;
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.events = new EventRecorder(this.core, CONTROLLER_COMPONENT, options.instance, options.log);
    this.configSource = new ConfigSource({
      kubeConfig: options.kubeConfig,
      namespace: options.configNamespace,
      name: options.configName,
      apply: (config) => this.applyConfig(config),
      log: options.log,
      events: this.events,
      metrics: options.metrics,
    });
    this.services = new ResilientInformer<V1Service>(options.kubeConfig, {
      name: 'services',
      path: '/api/v1/services',
      list: () => this.core.listServiceForAllNamespaces(),
      log: options.log,
      onChange: (type, service) => this.serviceChanged(type, service),
    });
    this.allocations = options.metrics.counter('vipcheck_speaker_allocations_total', 'Address allocation outcomes (result="allocated" or "failed")');
    const inUse = options.metrics.gauge('vipcheck_speaker_addresses_in_use', 'Addresses held by Services, per pool');
    const capacity = options.metrics.gauge('vipcheck_speaker_pool_capacity', 'Usable addresses per pool');
    const pendingGauge = options.metrics.gauge('vipcheck_speaker_services_pending', 'LoadBalancer Services waiting for an address');
    options.metrics.onCollect(() => {
      inUse.reset();
      capacity.reset();
      for (const [pool, usage] of this.allocator.usage()) {
        inUse.set(usage.inUse, { pool });
        capacity.set(usage.capacity, { pool });
      }
      pendingGauge.set(this.pending.size);
    });
  }

  async start(): Promise<void> {
    this.log(`starting: config from ConfigMap ${this.options.configNamespace}/${this.options.configName}`);
    this.configSource.start();
    this.services.start();
    await Promise.all([this.configSource.waitForSync(), this.services.waitForSync()]);
    this.log(`initial sync done: ${this.services.list().length} service(s)`);
    if (!this.configSource.loader.current) {
      this.log(`no valid config yet (ConfigMap ${this.options.configNamespace}/${this.options.configName} missing or refused); not allocating until there is one`);
    }
    this.adoptIfReady();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    await Promise.all([this.configSource.stop(), this.services.stop()]);
    await this.events.flush();
  }

  /** Why the controller is not ready, or undefined when it is. */
  unready(): string | undefined {
    if (!this.services.synced) return `services not synced${this.services.problem ? `: ${this.services.problem}` : ''}`;
    if (!this.configSource.loader.current) return `no valid config loaded${this.configSource.loader.error ? `: ${this.configSource.loader.error}` : ''}`;
    if (!this.adopted) return 'adopting existing addresses';
    return undefined;
  }

  private applyConfig(config: Config): void {
    // Throws PoolConflictError when an address would be taken away: the loader then keeps the old config.
    this.allocator.setPools(config.pools);
    this.config = config;
    if (this.adopted) this.enqueueAll();
    else this.adoptIfReady();
  }

  /**
   * Start-up: first record every address Services already carry (oldest
   * Service first), so that no new allocation can take one; only then allocate.
   */
  private adoptIfReady(): void {
    if (this.adopted || !this.config || !this.services.synced) return;
    const services = [...this.services.list()].sort(byAge);
    let kept = 0;
    for (const service of services) {
      if (statusAddresses(service).length === 0) continue;
      const decision = convergeService(this.allocator, service, { mayAllocate: false });
      if (decision.addresses?.length) kept++;
    }
    this.adopted = true;
    this.log(`adopted ${kept} address(es) already in Service status; allocating`);
    this.enqueueAll();
  }

  private serviceChanged(type: 'add' | 'update' | 'delete', service: V1Service): void {
    const key = serviceKey(service);
    if (type === 'delete') {
      this.forget(key);
      if (this.allocator.release(key)) {
        this.log(`service ${key} deleted; its address is free`);
        this.addressesFreed();
      }
      return;
    }
    if (this.adopted) this.enqueue(key);
  }

  private forget(key: string): void {
    this.pending.delete(key);
    this.lastEvent.delete(key);
    this.retryDelay.delete(key);
    clearTimeout(this.retryTimers.get(key));
    this.retryTimers.delete(key);
  }

  /** An address became free: pending Services may now get one, and a refused config may now fit. */
  private addressesFreed(): void {
    for (const key of this.pending) this.enqueue(key);
    this.configSource.loader.retry();
  }

  private enqueueAll(): void {
    for (const service of [...this.services.list()].sort(byAge)) this.enqueue(serviceKey(service));
  }

  private enqueue(key: string): void {
    if (this.stopped) return;
    this.queue.add(key);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.size > 0 && !this.stopped) {
        const key: string = this.queue.values().next().value!;
        this.queue.delete(key);
        await this.reconcile(key);
      }
    } finally {
      this.draining = false;
    }
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const service = this.services.get(name, namespace);
    if (!service) return;
    const heldBefore = this.allocator.addressOf(key);
    let decision: Decision;
    try {
      decision = convergeService(this.allocator, service, { mayAllocate: true });
    } catch (error) {
      this.log(`service ${key}: internal error while deciding its address: ${errorMessage(error)}`);
      return;
    }
    if (decision.note) this.log(`service ${key}: ${decision.note}`);
    if (decision.pending) this.pending.add(key);
    else this.pending.delete(key);
    this.recordEvent(key, service, decision);
    const heldAfter = this.allocator.addressOf(key);
    if (heldBefore !== undefined && heldBefore !== heldAfter) this.addressesFreed();
    if (decision.addresses !== undefined && !sameAddresses(decision.addresses, service)) {
      await this.writeStatus(key, namespace, name, decision.addresses);
    }
  }

  private recordEvent(key: string, service: V1Service, decision: Decision): void {
    if (!decision.event) {
      this.lastEvent.delete(key);
      return;
    }
    const { type, reason, message } = decision.event;
    const identity = `${reason}\n${message}`;
    // A pending Service is retried often; say the same thing once until something changes.
    if (this.lastEvent.get(key) === identity) return;
    this.lastEvent.set(key, identity);
    this.allocations.inc({ result: reason === 'IPAllocated' ? 'allocated' : 'failed' });
    this.log(`service ${key}: ${reason}: ${message}`);
    this.events.record(targetOf('Service', 'v1', service), type, reason, message);
  }

  private async writeStatus(key: string, namespace: string, name: string, addresses: string[]): Promise<void> {
    const body = { status: { loadBalancer: { ingress: addresses.length > 0 ? addresses.map((ip) => ({ ip })) : null } } };
    try {
      await this.core.patchNamespacedServiceStatus({ namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      this.retryDelay.delete(key);
      this.log(addresses.length > 0 ? `service ${key}: status set to ${addresses.join(', ')}` : `service ${key}: status cleared`);
    } catch (error) {
      if ((error as { code?: number }).code === 404) return;
      const delay = this.retryDelay.get(key) ?? RETRY_INITIAL_MS;
      this.retryDelay.set(key, Math.min(delay * 2, RETRY_MAX_MS));
      this.log(`service ${key}: status write failed (${errorMessage(error)}); retrying in ${delay} ms`);
      clearTimeout(this.retryTimers.get(key));
      this.retryTimers.set(key, setTimeout(() => {
        this.retryTimers.delete(key);
        this.enqueue(key);
      }, delay));
    }
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

function sameAddresses(addresses: string[], service: V1Service): boolean {
  if (addresses.length === 0) return !hasStatusIngress(service);
  const current = (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
  return current.length === addresses.length && current.every((ip, i) => ip === addresses[i]);
}

function timeOf(value: Date | string | undefined): number {
  if (value === undefined) return 0;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/** Oldest first, then by key: the order in which conflicting claims are honoured. */
function byAge(a: V1Service, b: V1Service): number {
  return timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp) || (serviceKey(a) < serviceKey(b) ? -1 : 1);
}
