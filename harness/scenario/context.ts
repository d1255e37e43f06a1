// What a scenario gets: its own namespace, the cluster, the target, the
// TOR, requests from the outside client, eventually-consistent waits, the
// run's named timeouts, and the convergence times the scenario marks.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Kube, apiErrorMessage } from '../kube/client.ts';
import { loadFixture, type TemplateVars } from '../kube/fixtures.ts';
import { CasesTimeoutError, distinct, expectEventually, type HttpCase } from '../traffic/expect.ts';
import type { CaseObservation, CaseResult, CaseStatus } from '../report/case.ts';
import type { HttpResponse } from '../traffic/client.ts';
import { Tor } from '../tor/tor.ts';
import { waitFor, type Probe, type WaitResult } from '../../lib/wait.ts';
import type { Runtime } from './runtime.ts';
import type { Scenario } from './types.ts';
import { timeoutsOf, type TimeoutConfig } from './timeouts.ts';
import type { Feature } from './features.ts';
import type { NodeCapability, NodeOperations, TorAccess } from '../providers/provider.ts';
import { missingCapability, nodeOperation } from '../providers/registry.ts';

/** The label on every scenario namespace; its value is the scenario id. */
export const SCENARIO_LABEL = 'vipcheck.dev/scenario';

export class NotSupportedError extends Error {
  /** Waiting cannot change it: waits give up at once (see lib/wait.ts). */
  readonly permanent = true;
  constructor(message: string) {
    super(message);
    this.name = 'NotSupportedError';
  }
}

export class ScenarioContext {
  readonly scenario: Scenario;
  readonly runtime: Runtime;
  readonly kube: Kube;
  readonly namespace: string;
  /** Named convergence times (ms), in the order marked; the first is the scenario's main one. */
  readonly convergence: Record<string, number> = {};
  readonly measurements: Record<string, number> = {};
  /** Every case checked so far (expectHttp's and recordCase's), for the report. */
  readonly cases: CaseResult[] = [];
  private readonly cleanups: (() => Promise<void>)[] = [];
  private readonly tors = new Map<string, Tor>();
  readonly lines: string[] = [];

  constructor(scenario: Scenario, runtime: Runtime) {
    this.scenario = scenario;
    this.runtime = runtime;
    this.kube = new Kube(runtime.provider.kubeconfig);
    this.namespace = `vc-${scenario.id}`.slice(0, 63);
  }

  get target() {
    return this.runtime.target;
  }

  /** Whether the target claims `feature`: for the checks a scenario makes only then (Scenario.alsoChecks). */
  claims(feature: Feature): boolean {
    return this.target.features.includes(feature);
  }

  /** The run's named bounds in ms (--timeout, scaled by --timeout-scale; ./timeouts.ts). */
  get timeouts(): TimeoutConfig {
    return timeoutsOf(this.runtime.settings);
  }

  /** The convergence bound, the default of every wait: `timeouts.convergence`. */
  get timeoutMs(): number {
    return this.timeouts.convergence;
  }

  /** Template variables: the run's (addresses, ASNs, class) plus this scenario's namespace. */
  vars(extra: TemplateVars = {}): TemplateVars {
    return { ...this.runtime.vars, namespace: this.namespace, ingressClass: this.target.ingress?.className ?? '', ...extra };
  }

  log(line: string): void {
    this.lines.push(`${new Date().toISOString()} ${line}`);
  }

  /** Applies a fixture (under fixtures/scenarios/, or an absolute path) into this scenario's namespace. */
  async apply(fixture: string, extra: TemplateVars = {}): Promise<KubernetesObject[]> {
    const objects = await loadFixture(path.isAbsolute(fixture) ? fixture : path.join('scenarios', fixture), this.vars(extra), this.namespace);
    return this.applyObjects(objects, fixture);
  }

  /**
   * An echo backend: Deployment + Service named `name` (fixtures/scenarios/common/echo.yaml),
   * waited for until every replica is ready unless `wait` is false.
   */
  async echoBackend(name: string, replicas = 1, options: { wait?: boolean } = {}): Promise<void> {
    await this.apply('common/echo.yaml', { name, replicas });
    if (options.wait !== false) await this.kube.waitForDeployment(this.namespace, name, this.timeouts.deploymentReady);
  }

  async applyObjects(objects: KubernetesObject[], source = 'scenario'): Promise<KubernetesObject[]> {
    const applied: KubernetesObject[] = [];
    for (const object of objects) applied.push(await this.kube.apply(object, source));
    return applied;
  }

  /** Runs cleanup at the end of the scenario, pass or fail (e.g. restoring a node). */
  defer(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async runCleanups(): Promise<string[]> {
    const problems: string[] = [];
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return problems;
  }

  /** The address clients use for the target's ingress controller (its VIP through the TOR). */
  ingressAddress(): string {
    if (!this.runtime.ingressAddress) throw new NotSupportedError('the target has no ingress controller published through a LoadBalancer address');
    return this.runtime.ingressAddress;
  }

  /** Records a convergence time under `name` (the report's `convergence`); the first one marked is the main one. */
  markConvergence(name: string, ms: number): void {
    this.convergence[name] = Math.round(ms);
    this.log(`convergence ${name}: ${Math.round(ms)} ms`);
  }

  /** The main convergence time (the report's convergenceMs): the first one marked. */
  get convergenceMs(): number | undefined {
    return Object.values(this.convergence)[0];
  }

  /**
   * HTTP cases, polled until every case holds 3 times in a row.
   * `freshConnections`: each request on a new connection, so that the rounds
   * are spread over the controller's replicas instead of one pooled socket.
   */
  async expectHttp(what: string, cases: HttpCase[], options: { timeoutMs?: number; consecutive?: number; convergence?: string; freshConnections?: boolean } = {}): Promise<HttpResponse[]> {
    const sent = options.freshConnections ? cases.map((c) => ({ ...c, request: { ...c.request, freshConnection: true } })) : cases;
    let result;
    try {
      result = await expectEventually(what, sent, { timeoutMs: options.timeoutMs ?? this.timeoutMs, consecutive: options.consecutive });
    } catch (error) {
      if (error instanceof CasesTimeoutError) this.addCases(error.cases);
      throw error;
    }
    this.addCases(result.cases);
    this.log(`${what}: converged after ${result.convergenceMs} ms`);
    if (options.convergence) this.markConvergence(options.convergence, result.convergenceMs);
    return result.value;
  }

  /** A check of the scenario's own (e.g. a route on the TOR) as a named case in the report; a failed one fails the scenario when run ends (define.ts). */
  recordCase(name: string, status: CaseStatus, observed: string | CaseObservation): void {
    this.addCases([{ name, status, observed: typeof observed === 'string' ? { summary: observed } : observed }]);
  }

  private addCases(cases: CaseResult[]): void {
    const names = distinct(cases.map((c) => c.name), this.cases.map((c) => c.name));
    this.cases.push(...cases.map((c, i) => ({ ...c, name: names[i] })));
  }

  /**
   * Any eventually-consistent condition (default: 3 consecutive successes).
   * `convergence: name` (here and in expectHttp) marks the wait's time under that name.
   */
  async eventually<T>(what: string, probe: () => Promise<Probe<T>>, options: { timeoutMs?: number; consecutive?: number; intervalMs?: number; convergence?: string } = {}): Promise<WaitResult<T>> {
    const result = await waitFor(what, probe, { timeoutMs: options.timeoutMs ?? this.timeoutMs, consecutive: options.consecutive ?? 3, intervalMs: options.intervalMs ?? 200 });
    this.log(`${what}: after ${result.convergenceMs} ms`);
    if (options.convergence) this.markConvergence(options.convergence, result.convergenceMs);
    return result;
  }

  /**
   * Waits (bounded: timeouts.quietCluster) until no other scenario's namespace is being
   * deleted: for a scenario that measures a reaction to a deletion of its
   * own, which implementations that re-queue all their objects on every
   * deletion (MetalLB v0.12's controller does) would otherwise serve behind
   * the churn of earlier scenarios' teardown. Gives up with a log line, not
   * a failure: a namespace stuck terminating is the cluster's problem.
   */
  async quietCluster(): Promise<void> {
    const started = performance.now();
    try {
      await waitFor('other scenarios\' namespaces to finish terminating', async () => {
        const list = await this.kube.core.listNamespace({ labelSelector: SCENARIO_LABEL });
        const terminating = list.items.filter((n) => n.metadata?.deletionTimestamp && n.metadata.name !== this.namespace).map((n) => n.metadata!.name!);
        return { ok: terminating.length === 0, observed: terminating };
      }, { timeoutMs: this.timeouts.quietCluster, intervalMs: 250 });
      this.log(`quiet cluster after ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      this.log(`starting without a quiet cluster: ${(error as Error).message}`);
    }
  }

  /** A named number that is not a convergence time (requests sent, failed, a failed-request window). */
  measure(name: string, value: number): void {
    this.measurements[name] = Math.round(value);
  }

  /** The main TOR (eBGP); not-supported when the provider gives no BGP access. */
  tor(): Tor {
    return this.router('tor', this.runtime.provider.tor);
  }

  /** The second router, an iBGP peer of the nodes (RIB only). */
  ibgpRouter(): Tor {
    return this.router('ibgp', this.runtime.provider.ibgpRouter);
  }

  private router(key: string, access: TorAccess | undefined): Tor {
    const missing = missingCapability(this.runtime.provider, 'bgpAccess', `reach the ${key === 'tor' ? 'TOR' : 'iBGP router'}`);
    if (missing || !access) throw new NotSupportedError(missing ?? `the ${this.runtime.provider.name} provider gives no BGP access (${key})`);
    let tor = this.tors.get(key);
    if (!tor) {
      tor = Tor.attach(access);
      this.tors.set(key, tor);
    }
    return tor;
  }

  /** Cuts a node off the fabric until restoreNode or the scenario's end; not-supported where the provider cannot. */
  async cutNode(name: string): Promise<void> {
    const operations = await this.nodeOperations('canCutNode', 'cut a node off');
    await operations.cutNode(this.runtime.provider, name);
    this.defer(() => operations.restoreNode(this.runtime.provider, name));
  }

  async restoreNode(name: string): Promise<void> {
    await (await this.nodeOperations('canCutNode', 'cut a node off')).restoreNode(this.runtime.provider, name);
  }

  /** Freezes a whole node (kubelet, speaker, pods) until resumeNode or the scenario's end. */
  async pauseNode(name: string): Promise<void> {
    const operations = await this.nodeOperations('canPauseNode', 'pause a node');
    await operations.pauseNode(this.runtime.provider, name);
    this.defer(() => operations.resumeNode(this.runtime.provider, name));
  }

  async resumeNode(name: string): Promise<void> {
    await (await this.nodeOperations('canPauseNode', 'pause a node')).resumeNode(this.runtime.provider, name);
  }

  private async nodeOperations(capability: NodeCapability, what: string): Promise<Required<NodeOperations>> {
    const operations = await nodeOperation(this.runtime.provider, capability, what);
    if (typeof operations === 'string') throw new NotSupportedError(operations);
    return operations;
  }

  /** Writes what is needed to understand a failure: objects, events, controller logs, TOR state. */
  async dump(dir: string, error: unknown): Promise<void> {
    await mkdir(dir, { recursive: true });
    const write = (name: string, text: string) => writeFile(path.join(dir, name), text);
    await write('error.txt', `${(error as Error)?.stack ?? String(error)}\n\nscenario log:\n${this.lines.join('\n')}\n`);
    const tryWrite = async (name: string, read: () => Promise<string>) => {
      try {
        await write(name, await read());
      } catch (e) {
        await write(name, `could not collect: ${apiErrorMessage(e)}\n`);
      }
    };
    const ns = this.namespace;
    await tryWrite('objects.yaml', async () => {
      const [pods, services, slices, ingresses, deployments] = await Promise.all([
        this.kube.core.listNamespacedPod({ namespace: ns }),
        this.kube.core.listNamespacedService({ namespace: ns }),
        this.kube.discovery.listNamespacedEndpointSlice({ namespace: ns }),
        this.kube.networking.listNamespacedIngress({ namespace: ns }),
        this.kube.apps.listNamespacedDeployment({ namespace: ns }),
      ]);
      return [pods, services, slices, ingresses, deployments].map((l) => stringify(l.items)).join('---\n');
    });
    await tryWrite('events.txt', async () => {
      const events = await this.kube.core.listNamespacedEvent({ namespace: ns });
      return events.items.map((e) => `${e.lastTimestamp ?? e.eventTime ?? ''} ${e.type} ${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message}`).join('\n');
    });
    const controllers = [this.target.ingress?.pods, this.target.loadBalancer?.controllerPods, this.target.loadBalancer?.speakerPods].filter((p) => p !== undefined);
    for (const selector of controllers) {
      await tryWrite(`logs-${selector.namespace}-${selector.labelSelector.replace(/[^a-z0-9]+/gi, '_')}.txt`, async () => {
        const pods = await this.kube.podsOf(selector.namespace, selector.labelSelector);
        const parts: string[] = [];
        for (const pod of pods) {
          for (const container of pod.spec?.containers ?? []) {
            let text: string;
            try {
              text = await this.kube.core.readNamespacedPodLog({ namespace: selector.namespace, name: pod.metadata!.name!, container: container.name, tailLines: 300 });
            } catch (e) {
              text = `(no log: ${apiErrorMessage(e)})`;
            }
            parts.push(`==== ${pod.metadata!.name}/${container.name} on ${pod.spec?.nodeName}\n${text}`);
          }
        }
        return parts.join('\n');
      });
    }
    if (this.runtime.provider.tor) await tryWrite('tor.txt', () => this.tor().dump());
    if (this.runtime.provider.ibgpRouter) await tryWrite('ibgp-router.txt', () => this.ibgpRouter().dump());
  }
}
