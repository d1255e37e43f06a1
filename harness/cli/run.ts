// `vipcheck run`: bring an environment up (or use one), install the target,
// run the scenarios through vitest, write report.json and junit.xml, and
// exit 0 only when nothing failed.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startVitest } from 'vitest/node';
import { Kube } from '../kube/client.ts';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { DEFAULT_PROVIDER, PROVIDER_NAMES, loadProvider, providerName, type ProviderName } from '../providers/registry.ts';
import type { Environment, Provider, ProviderFlag, ProviderOptions } from '../providers/provider.ts';
import { ScenarioReporter } from '../report/reporter.ts';
import { REPORT_SCHEMA_VERSION, reportSettings, summarize, summaryTable, toJUnit, type Report } from '../report/report.ts';
import { reportProblems } from '../report/schema.ts';
import { loadTarget, type Target } from '../targets/target.ts';
import { referenceTarget } from '../targets/reference.ts';
import { installTarget } from '../targets/install.ts';
import { acquireRunLock } from './run-lock.ts';
import type { Runtime } from '../scenario/runtime.ts';
import { resolveTimeouts } from '../scenario/timeouts.ts';
import { scenarioFiles } from '../scenario/catalog.ts';
import { SUITES, type SuiteName } from '../scenario/types.ts';

export interface RunOptions {
  provider: ProviderName;
  target: string;
  suites?: SuiteName[];
  ids?: string[];
  reportDir: string;
  nodes: number;
  kubeconfig?: string;
  /** How to reach the routers the cluster peers with (a provider that reads --bgp-access). */
  bgpAccess?: string;
  installTarget: boolean;
  /** --timeout: the convergence bound, from which most named timeouts derive. */
  convergenceTimeoutMs: number;
  /** --timeout-scale: multiplies every named timeout (slow machines). */
  timeoutScale: number;
  keepNamespaces: boolean;
  workers: number;
  /** vitest reporters to run next to ours: built-in names or module paths. */
  reporters: string[];
}

/** vitest's built-in reporters (a path to a reporter module works too). */
export const VITEST_REPORTERS = ['default', 'verbose', 'dot', 'minimal', 'tree', 'json', 'junit', 'tap', 'tap-flat', 'github-actions', 'blob', 'hanging-process'];

export async function parseRunArgs(args: string[]): Promise<RunOptions> {
  const { values } = parseArgs({
    args,
    options: {
      provider: { type: 'string', default: DEFAULT_PROVIDER },
      target: { type: 'string', default: 'reference' },
      suite: { type: 'string' },
      run: { type: 'string' },
      'report-dir': { type: 'string', default: 'vipcheck-report' },
      nodes: { type: 'string', default: '3' },
      kubeconfig: { type: 'string' },
      'bgp-access': { type: 'string' },
      'install-target': { type: 'string', default: 'true' },
      timeout: { type: 'string', default: '30' },
      'timeout-scale': { type: 'string', default: '1' },
      'keep-namespaces': { type: 'boolean', default: false },
      workers: { type: 'string', default: '3' },
      reporter: { type: 'string', multiple: true },
    },
  });
  const provider = providerName(values.provider!);
  await checkProviderFlags(provider, { kubeconfig: values.kubeconfig, 'bgp-access': values['bgp-access'] });
  const suites = values.suite?.split(',').map((s) => s.trim()).filter(Boolean) as SuiteName[] | undefined;
  for (const s of suites ?? []) if (!SUITES.includes(s)) throw new Error(`--suite: unknown suite "${s}" (known: ${SUITES.join(', ')})`);
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new Error(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  const timeoutScale = Number(values['timeout-scale']);
  if (!(timeoutScale > 0 && timeoutScale <= 100)) throw new Error(`--timeout-scale must be a factor above 0 and at most 100 (e.g. 2 on a slow machine), got "${values['timeout-scale']}"`);
  const reporters = (values.reporter ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  for (const r of reporters) {
    if (isReporterPath(r) && !existsSync(path.resolve(r))) throw new Error(`--reporter: no reporter module at ${path.resolve(r)}`);
    if (!isReporterPath(r) && !VITEST_REPORTERS.includes(r)) throw new Error(`--reporter: unknown reporter "${r}" (vitest's: ${VITEST_REPORTERS.join(', ')}; or a path to a reporter module)`);
  }
  return {
    provider,
    target: values.target!,
    suites,
    ids: values.run?.split(',').map((s) => s.trim()).filter(Boolean),
    reportDir: path.resolve(values['report-dir']!),
    nodes: Number(values.nodes),
    kubeconfig: values.kubeconfig,
    bgpAccess: values['bgp-access'] ? path.resolve(values['bgp-access']) : undefined,
    installTarget: values['install-target'] !== 'false',
    convergenceTimeoutMs: timeout * 1000,
    timeoutScale,
    keepNamespaces: values['keep-namespaces']!,
    workers: Math.max(1, Number(values.workers) || 1),
    reporters: reporters.map((r) => (isReporterPath(r) ? path.resolve(r) : r)),
  };
}

/** The flags a provider reads are given when it needs them, and the others not at all: they would be silently ignored. */
export async function checkProviderFlags(name: ProviderName, given: Partial<Record<ProviderFlag, string>>): Promise<void> {
  const flags = (await loadProvider(name)).flags;
  for (const flag of Object.keys(given) as ProviderFlag[]) {
    if (given[flag] === undefined) {
      if (flags[flag] === 'required') throw new Error(`--provider ${name} needs --${flag} ${flag === 'kubeconfig' ? 'PATH' : 'FILE'}`);
    } else if (!flags[flag]) {
      const readers: string[] = [];
      for (const other of PROVIDER_NAMES) if ((await loadProvider(other)).flags[flag]) readers.push(other);
      throw new Error(`--${flag} is for --provider ${readers.join(' or ')}; the ${name} provider does not read it`);
    }
  }
}

function isReporterPath(reporter: string): boolean {
  return reporter.includes('/') || /\.[cm]?[jt]s$/.test(reporter);
}

export async function runCommand(args: string[]): Promise<number> {
  const options = await parseRunArgs(args);
  const started = new Date();
  const t0 = performance.now();
  const log = (line: string) => console.log(line);
  const target = await loadTarget(options.target);
  const provider = await loadProvider(options.provider);
  const providerOptions: ProviderOptions = { nodes: options.nodes, kubeconfig: options.kubeconfig, bgpAccess: options.bgpAccess, log };
  log(`vipcheck run: target ${target.name} ${target.version} on the ${options.provider} provider`);
  const release = acquireRunLock(provider.cluster(providerOptions), target.name);
  try {
    return await runLocked(options, provider, providerOptions, target, started, t0, log);
  } finally {
    release();
  }
}

async function runLocked(options: RunOptions, provider: Provider, providerOptions: ProviderOptions, target: Target, started: Date, t0: number, log: (line: string) => void): Promise<number> {
  provider.prepareTarget?.(target, providerOptions);
  const environment = await provider.attach(providerOptions);
  const { description } = environment;

  // A target without a load balancer is published through the reference one, where the provider has BGP.
  const installed: Target = target.loadBalancer || !target.ingress || !description.capabilities.bgpAccess ? target : { ...target, loadBalancer: referenceLoadBalancer() };
  const kube = new Kube(description.kubeconfig);
  let ingressAddress: string | undefined;
  if (options.installTarget) {
    const result = await installTarget(kube, installed, environment.vars, { log });
    ingressAddress = result.ingressAddress;
    log(`target installed in ${(result.durationMs / 1000).toFixed(1)} s${ingressAddress ? `; ingress controller at ${ingressAddress}` : ''}`);
  } else if (target.ingress) {
    ingressAddress = (await kube.waitForLoadBalancerIp(target.ingress.publish.namespace, target.ingress.publish.service, 30_000)).value;
  }

  await mkdir(options.reportDir, { recursive: true });
  const runtime: Runtime = {
    runId: started.toISOString(),
    provider: description,
    target,
    vars: environment.vars,
    ingressAddress,
    settings: {
      timeouts: resolveTimeouts(options.convergenceTimeoutMs, options.timeoutScale),
      timeoutScale: options.timeoutScale,
      reportDir: options.reportDir,
      suites: options.suites,
      ids: options.ids,
      keepNamespaces: options.keepNamespaces,
    },
  };
  const runtimeFile = path.join(options.reportDir, 'runtime.json');
  await writeFile(runtimeFile, JSON.stringify(runtime, null, 2));
  process.env.VIPCHECK_RUNTIME = runtimeFile;

  const reporter = new ScenarioReporter();
  const files = await scenarioFiles();
  const moduleErrors: string[] = [];
  // The disruptive files first, on a calm cluster: behind them, the concurrent group's teardown would
  // leave implementations that re-queue everything on each deletion (MetalLB v0.12) a backlog to serve first.
  for (const [group, list, workers] of [['serial', files.serial, 1], ['concurrent', files.concurrent, options.workers]] as const) {
    if (list.length === 0) continue;
    log(`running ${list.length} ${group} scenario files${group === 'concurrent' ? ` (${workers} at a time)` : ' (one at a time: they disturb shared state)'}`);
    const vitest = await startVitest(list, {
      config: false,
      root: REPO_ROOT,
      watch: false,
      reporters: [reporter, ...options.reporters],
      maxWorkers: workers,
      fileParallelism: workers > 1,
      include: list.map((f) => path.relative(REPO_ROOT, f)),
      hookTimeout: 120_000,
      passWithNoTests: true,
    });
    for (const module of vitest.state.getTestModules?.() ?? []) {
      for (const e of module.errors()) moduleErrors.push(`${path.relative(REPO_ROOT, module.moduleId)}: ${e.message}`);
    }
    await vitest.close();
  }

  const scenarios = reporter.results.sort((a, b) => SUITES.indexOf(a.suite) - SUITES.indexOf(b.suite) || a.id.localeCompare(b.id));
  for (const error of moduleErrors) {
    scenarios.push({ id: `e2e-load-error-${scenarios.length}`, suite: 'e2e', feature: 'unknown', status: 'failed', durationMs: 0, convergenceMs: null, message: `a scenario file failed to load: ${error}`, cases: [] });
  }
  const settings = reportSettings(runtime.settings);
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    target: { name: target.name, version: target.version, features: target.features },
    provider: { name: options.provider, kubernetesVersion: description.kubernetesVersion, nodes: description.nodes.length },
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    ...(settings ? { settings } : {}),
    summary: summarize(scenarios),
    scenarios,
  };
  const problems = reportProblems(report);
  if (problems.length) {
    // Never hand a CI pipeline a report that breaks the contract.
    console.error(`internal error: the report does not conform to report.schema.json:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  await writeFile(path.join(options.reportDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  await writeFile(path.join(options.reportDir, 'junit.xml'), toJUnit(report));
  if (report.summary.failed > 0) await collectLogs(environment, path.join(options.reportDir, 'provider-logs'), log);
  log('');
  log(summaryTable(report));
  log(`report: ${path.join(options.reportDir, 'report.json')}, ${path.join(options.reportDir, 'junit.xml')}`);
  if (scenarios.length === 0) {
    log('no scenario ran: that is a failure');
    return 1;
  }
  return report.summary.failed === 0 ? 0 : 1;
}

/** Only the provider knows where its logs are: after a failure it copies them beside the report. */
async function collectLogs(environment: Environment, dir: string, log: (line: string) => void): Promise<void> {
  try {
    await environment.collectLogs(dir);
    log(`provider logs: ${dir}`);
  } catch (error) {
    log(`could not collect the provider's logs into ${dir}: ${(error as Error).message}`);
  }
}

/** The reference load balancer with absolute paths: it is installed with a target whose baseDir is elsewhere. */
function referenceLoadBalancer(): Target['loadBalancer'] {
  const reference = referenceTarget();
  const lb = reference.loadBalancer!;
  return { ...lb, manifests: lb.manifests.map((m) => path.resolve(reference.baseDir, m)), configMap: path.resolve(reference.baseDir, lb.configMap) };
}
